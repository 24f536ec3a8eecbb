/// Go's `sort.Slice`: pattern-defeating quicksort, unstable. istioctl sorts with comparators that
/// leave ties (listeners on one port and address, routes with non-numeric names), and the order
/// of tied rows is whatever this algorithm leaves, so meshctl reproduces it step for step.
enum GoSort {
    static func slice<T>(_ items: inout [T], by less: (T, T) -> Bool) {
        withoutActuallyEscaping(less) { less in
            var sorter = Sorter(items: items, less: less)
            let length = items.count
            sorter.pdqsort(0, length, limit: bitLength(UInt(length)))
            items = sorter.items
        }
    }

    /// Go's `bits.Len`: the number of bits needed to represent `x`.
    static func bitLength(_ x: UInt) -> Int { x == 0 ? 0 : UInt.bitWidth - x.leadingZeroBitCount }

    private enum Hint { case unknown, increasing, decreasing }

    private struct Sorter<T> {
        var items: [T]
        let less: (T, T) -> Bool

        func lt(_ i: Int, _ j: Int) -> Bool { less(items[i], items[j]) }
        mutating func swap(_ i: Int, _ j: Int) { items.swapAt(i, j) }

        mutating func insertionSort(_ a: Int, _ b: Int) {
            var i = a + 1
            while i < b {
                var j = i
                while j > a && lt(j, j - 1) {
                    swap(j, j - 1)
                    j -= 1
                }
                i += 1
            }
        }

        mutating func siftDown(_ lo: Int, _ hi: Int, _ first: Int) {
            var root = lo
            while true {
                var child = 2 * root + 1
                if child >= hi { return }
                if child + 1 < hi && lt(first + child, first + child + 1) { child += 1 }
                if !lt(first + root, first + child) { return }
                swap(first + root, first + child)
                root = child
            }
        }

        mutating func heapSort(_ a: Int, _ b: Int) {
            let first = a
            let hi = b - a
            var i = (hi - 1) / 2
            while i >= 0 {
                siftDown(i, hi, first)
                i -= 1
            }
            i = hi - 1
            while i >= 0 {
                swap(first, first + i)
                siftDown(0, i, first)
                i -= 1
            }
        }

        mutating func pdqsort(_ start: Int, _ end: Int, limit startLimit: Int) {
            var (a, b, limit) = (start, end, startLimit)
            var wasBalanced = true
            var wasPartitioned = true
            while true {
                let length = b - a
                if length <= 12 {
                    insertionSort(a, b)
                    return
                }
                if limit == 0 {
                    heapSort(a, b)
                    return
                }
                if !wasBalanced {
                    breakPatterns(a, b)
                    limit -= 1
                }
                var (pivot, hint) = choosePivot(a, b)
                if hint == .decreasing {
                    reverseRange(a, b)
                    pivot = (b - 1) - (pivot - a)
                    hint = .increasing
                }
                if wasBalanced && wasPartitioned && hint == .increasing && partialInsertionSort(a, b) { return }
                if a > 0 && !lt(a - 1, pivot) {
                    a = partitionEqual(a, b, pivot)
                    continue
                }
                let (mid, alreadyPartitioned) = partition(a, b, pivot)
                wasPartitioned = alreadyPartitioned
                let (leftLength, rightLength) = (mid - a, b - mid)
                let balanceThreshold = length / 8
                if leftLength < rightLength {
                    wasBalanced = leftLength >= balanceThreshold
                    pdqsort(a, mid, limit: limit)
                    a = mid + 1
                } else {
                    wasBalanced = rightLength >= balanceThreshold
                    pdqsort(mid + 1, b, limit: limit)
                    b = mid
                }
            }
        }

        mutating func partition(_ a: Int, _ b: Int, _ pivot: Int) -> (Int, Bool) {
            swap(a, pivot)
            var (i, j) = (a + 1, b - 1)
            while i <= j && lt(i, a) { i += 1 }
            while i <= j && !lt(j, a) { j -= 1 }
            if i > j {
                swap(j, a)
                return (j, true)
            }
            swap(i, j)
            i += 1
            j -= 1
            while true {
                while i <= j && lt(i, a) { i += 1 }
                while i <= j && !lt(j, a) { j -= 1 }
                if i > j { break }
                swap(i, j)
                i += 1
                j -= 1
            }
            swap(j, a)
            return (j, false)
        }

        mutating func partitionEqual(_ a: Int, _ b: Int, _ pivot: Int) -> Int {
            swap(a, pivot)
            var (i, j) = (a + 1, b - 1)
            while true {
                while i <= j && !lt(a, i) { i += 1 }
                while i <= j && lt(a, j) { j -= 1 }
                if i > j { break }
                swap(i, j)
                i += 1
                j -= 1
            }
            return i
        }

        mutating func partialInsertionSort(_ a: Int, _ b: Int) -> Bool {
            var i = a + 1
            for _ in 0..<5 {
                while i < b && !lt(i, i - 1) { i += 1 }
                if i == b { return true }
                if b - a < 50 { return false }
                swap(i, i - 1)
                if i - a >= 2 {
                    var j = i - 1
                    while j >= 1 {
                        if !lt(j, j - 1) { break }
                        swap(j, j - 1)
                        j -= 1
                    }
                }
                if b - i >= 2 {
                    var j = i + 1
                    while j < b {
                        if !lt(j, j - 1) { break }
                        swap(j, j - 1)
                        j += 1
                    }
                }
            }
            return false
        }

        mutating func breakPatterns(_ a: Int, _ b: Int) {
            let length = b - a
            guard length >= 8 else { return }
            var random = UInt64(length)
            let modulus = UInt(1) << UInt(GoSort.bitLength(UInt(length)))
            var idx = a + (length / 4) * 2 - 1
            while idx <= a + (length / 4) * 2 + 1 {
                random ^= random << 13
                random ^= random >> 17
                random ^= random << 5
                var other = Int(UInt(truncatingIfNeeded: random) & (modulus - 1))
                if other >= length { other -= length }
                swap(idx, a + other)
                idx += 1
            }
        }

        func choosePivot(_ a: Int, _ b: Int) -> (Int, Hint) {
            let l = b - a
            var swaps = 0
            var i = a + l / 4 * 1
            var j = a + l / 4 * 2
            var k = a + l / 4 * 3
            if l >= 8 {
                if l >= 50 {
                    i = median(i - 1, i, i + 1, &swaps)
                    j = median(j - 1, j, j + 1, &swaps)
                    k = median(k - 1, k, k + 1, &swaps)
                }
                j = median(i, j, k, &swaps)
            }
            switch swaps {
            case 0: return (j, .increasing)
            case 12: return (j, .decreasing)
            default: return (j, .unknown)
            }
        }

        func order2(_ a: Int, _ b: Int, _ swaps: inout Int) -> (Int, Int) {
            if lt(b, a) {
                swaps += 1
                return (b, a)
            }
            return (a, b)
        }

        func median(_ a0: Int, _ b0: Int, _ c0: Int, _ swaps: inout Int) -> Int {
            var (a, b, c) = (a0, b0, c0)
            (a, b) = order2(a, b, &swaps)
            (b, c) = order2(b, c, &swaps)
            (a, b) = order2(a, b, &swaps)
            _ = (a, c)
            return b
        }

        mutating func reverseRange(_ a: Int, _ b: Int) {
            var (i, j) = (a, b - 1)
            while i < j {
                swap(i, j)
                i += 1
                j -= 1
            }
        }
    }
}
