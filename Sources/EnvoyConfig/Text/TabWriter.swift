/// Aligns tab-separated cells into columns exactly as Go's `text/tabwriter` does, so tables
/// match istioctl's byte for byte.
///
/// Text is a sequence of cells terminated by `\t`; a newline ends a line, and the text after a
/// line's last tab is its trailing cell, which belongs to no column. Tab-terminated cells in
/// consecutive lines form a column block; a block's width is its widest cell plus `padding`
/// (at least `minWidth`). A line of a single cell ends every open block (Go flushes there).
/// Widths count Unicode scalars, as Go counts runes.
public struct TabWriter {
    public var minWidth: Int
    public var tabWidth: Int
    public var padding: Int
    public var padChar: Character
    public var alignRight: Bool
    public var discardEmptyColumns: Bool

    private var output = ""
    private var lines: [[Cell]] = [[]]
    private var cellText = ""
    private var cellWidth = 0
    private var widths: [Int] = []

    struct Cell {
        var text: Substring
        var width: Int
        var tabTerminated: Bool
    }

    /// Go's `new(tabwriter.Writer).Init(out, minwidth, tabwidth, padding, padchar, flags)`.
    public init(
        minWidth: Int, tabWidth: Int, padding: Int, padChar: Character = " ", alignRight: Bool = false,
        discardEmptyColumns: Bool = false
    ) {
        self.minWidth = minWidth
        self.tabWidth = tabWidth
        self.padding = padding
        self.padChar = padChar
        self.alignRight = alignRight
        self.discardEmptyColumns = discardEmptyColumns
    }

    /// Go's `fmt.Fprint(w, text)`.
    public mutating func write(_ text: String) {
        var start = text.startIndex
        var index = start
        while index < text.endIndex {
            let ch = text[index]
            if ch == "\t" || ch == "\n" {
                cellText += text[start..<index]
                cellWidth += text.unicodeScalars[start..<index].count
                let cells = terminateCell(tabTerminated: ch == "\t")
                if ch == "\n" {
                    lines.append([])
                    // A line of one cell affects no column: Go flushes everything so far.
                    if cells == 1 { flush() }
                }
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        cellText += text[start...]
        cellWidth += text.unicodeScalars[start...].count
    }

    /// Go's `fmt.Fprintln(w, cells.joined(separator: "\t"))`.
    public mutating func writeRow(_ cells: [String]) {
        write(cells.joined(separator: "\t") + "\n")
    }

    /// Formats what is buffered and returns everything written so far.
    public mutating func finish() -> String {
        flush()
        let text = output
        output = ""
        return text
    }

    private mutating func terminateCell(tabTerminated: Bool) -> Int {
        lines[lines.count - 1].append(Cell(text: Substring(cellText), width: cellWidth, tabTerminated: tabTerminated))
        cellText = ""
        cellWidth = 0
        return lines[lines.count - 1].count
    }

    private mutating func flush() {
        // An unterminated trailing cell stays part of the last line.
        if cellWidth > 0 || !cellText.isEmpty { _ = terminateCell(tabTerminated: false) }
        format(line0: 0, line1: lines.count)
        lines = [[]]
        widths = []
    }

    private mutating func format(line0 start: Int, line1: Int) {
        var line0 = start
        let column = widths.count
        var this = line0
        while this < line1 {
            if column >= lines[this].count - 1 {
                this += 1
                continue
            }
            // This line has a cell in `column`: a block starts here.
            writeLines(line0, this)
            line0 = this
            var width = minWidth
            var discardable = true
            while this < line1 && column < lines[this].count - 1 {
                let cell = lines[this][column]
                width = max(width, cell.width + padding)
                if cell.width > 0 { discardable = false }
                this += 1
            }
            if discardable && discardEmptyColumns { width = 0 }
            widths.append(width)
            format(line0: line0, line1: this)
            widths.removeLast()
            line0 = this
        }
        writeLines(line0, line1)
    }

    private mutating func writeLines(_ line0: Int, _ line1: Int) {
        guard line0 < line1 else { return }
        for i in line0..<line1 {
            for (j, cell) in lines[i].enumerated() {
                if cell.text.isEmpty {
                    if j < widths.count { writePadding(cell.width, widths[j]) }
                } else if !alignRight {
                    output += cell.text
                    if j < widths.count { writePadding(cell.width, widths[j]) }
                } else {
                    if j < widths.count { writePadding(cell.width, widths[j]) }
                    output += cell.text
                }
            }
            // The last buffered line has no newline of its own.
            if i + 1 < lines.count { output += "\n" }
        }
    }

    private mutating func writePadding(_ textWidth: Int, _ cellWidth: Int) {
        if padChar == "\t" {
            // Go pads with tabs to the next multiple of tabwidth.
            guard tabWidth > 0 else { return }
            let width = (cellWidth + tabWidth - 1) / tabWidth * tabWidth
            let n = width - textWidth
            output += String(repeating: "\t", count: (n + tabWidth - 1) / tabWidth)
            return
        }
        output += String(repeating: padChar, count: cellWidth - textWidth)
    }
}
