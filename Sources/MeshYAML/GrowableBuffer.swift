#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A growable array of trivial values in one malloc'd block, grown with `realloc`.
///
/// The node tree is the largest thing meshctl holds; `realloc` can extend a large block in place
/// (no copy, no moment with two copies alive), and reading through a raw pointer costs no
/// reference counting. Ownership passes to `YAMLFile`, which frees the block.
struct GrowableBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        guard let raw = malloc(self.capacity * MemoryLayout<Element>.stride) else { fatalError("out of memory") }
        base = raw.bindMemory(to: Element.self, capacity: self.capacity)
    }

    @inline(__always) mutating func append(_ element: Element) {
        if count == capacity { grow(to: capacity * 2) }
        (base + count).initialize(to: element)
        count += 1
    }

    mutating func append(contentsOf source: UnsafeBufferPointer<Element>) {
        guard let start = source.baseAddress, source.count > 0 else { return }
        if count + source.count > capacity { grow(to: max(capacity * 2, count + source.count)) }
        (base + count).update(from: start, count: source.count)
        count += source.count
    }

    mutating func removeLast() { count -= 1 }

    /// Empties the buffer, keeping its storage.
    mutating func removeAll() { count = 0 }

    /// A malloc'd copy of the elements, for a new owner to free.
    func copy() -> UnsafeMutableBufferPointer<Element> {
        guard count > 0, let raw = malloc(count * MemoryLayout<Element>.stride) else { return .init(start: nil, count: 0) }
        let copy = raw.bindMemory(to: Element.self, capacity: count)
        copy.update(from: base, count: count)
        return UnsafeMutableBufferPointer(start: copy, count: count)
    }

    @inline(__always) subscript(_ index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }
    }

    private mutating func grow(to newCapacity: Int) {
        guard let raw = realloc(base, newCapacity * MemoryLayout<Element>.stride) else { fatalError("out of memory") }
        base = raw.bindMemory(to: Element.self, capacity: newCapacity)
        capacity = newCapacity
    }
}
