/// Many small maps side by side: sample digits, filters, feature maps.
///
/// Each map is enlarged by `pixelSize` with nearest-neighbour (so a 28×28 digit shows
/// its real pixels, not a blur), separated by gaps, optionally labelled underneath,
/// with an optional label at the left of each row.
public struct ImageGrid: Sendable {
    public var title: String
    public var maps: [Matrix]
    public var columns: Int
    public var labels: [String]?
    public var rowLabels: [String]?
    public var scale: ValueScale
    public var colourMap: ColourMap
    /// Screen pixels per map pixel; nil picks one so each cell is at least ~56 pixels.
    public var pixelSize: Int?
    /// Colour a cell's label (for example red for a wrong prediction).
    public var labelColours: [Colour]?
    /// A colour bar at the right that says what the colours mean. Only for a scale that is
    /// the same for every map (shared, sharedSymmetric or fixed); with a scale of each
    /// map's own there is no one meaning to show, and no bar is drawn.
    public var colourBar = false

    /// The one range of every map, or nil when each map has its own.
    private var commonRange: (Float, Float)? {
        switch scale {
        case .shared, .sharedSymmetric, .fixed: return scale.range(of: 0, in: maps)
        case .eachOwn, .eachSymmetric: return nil
        }
    }
    private static let barSpace = 80  // the bar, its ticks and their labels

    public init(
        title: String, maps: [Matrix], columns: Int, labels: [String]? = nil, rowLabels: [String]? = nil,
        scale: ValueScale = .eachOwn, colourMap: ColourMap = .grey, pixelSize: Int? = nil,
        labelColours: [Colour]? = nil
    ) {
        require(!maps.isEmpty, "an image grid needs at least one map")
        require(columns > 0, "an image grid needs at least one column")
        self.title = title
        self.maps = maps
        self.columns = columns
        self.labels = labels
        self.rowLabels = rowLabels
        self.scale = scale
        self.colourMap = colourMap
        self.pixelSize = pixelSize
        self.labelColours = labelColours
    }

    /// Layout, computed once so tests can find where each cell was drawn.
    public struct Layout: Sendable {
        public let cellWidth: Int, cellHeight: Int, pixelSize: Int
        public let left: Int, top: Int, gap: Int, labelHeight: Int
        public let width: Int, height: Int

        /// Top-left corner of the image of cell `index`.
        public func origin(of index: Int, columns: Int) -> (x: Int, y: Int) {
            (left + (index % columns) * (cellWidth + gap), top + (index / columns) * (cellHeight + labelHeight + gap))
        }
    }

    public var layout: Layout {
        let maxRows = maps.map(\.rows).max()!
        let maxColumns = maps.map(\.columns).max()!
        let p = pixelSize ?? max(1, (56 + max(maxRows, maxColumns) - 1) / max(maxRows, maxColumns))
        let cellW = maxColumns * p
        let cellH = maxRows * p
        let gap = max(4, p)
        let labelH = labels == nil ? 0 : Font.lineHeight + 2
        let longestLabel = (labels ?? []).map { Canvas.textWidth($0) }.max() ?? 0
        let cellWidth = max(cellW, longestLabel)
        let rowLabelWidth = (rowLabels ?? []).map { Canvas.textWidth($0) }.max().map { $0 + 10 } ?? 0
        let columnsUsed = min(columns, maps.count)
        let gridRows = (maps.count + columns - 1) / columns
        let left = 16 + rowLabelWidth
        let top = 40
        let contentWidth =
            left + columnsUsed * cellWidth + (columnsUsed - 1) * gap + 16
            + (colourBar && commonRange != nil ? ImageGrid.barSpace : 0)
        let width = max(contentWidth, Canvas.titleWidth(title))
        // Centre the grid when the title is wider than the cells.
        let shift = (width - contentWidth) / 2
        let height = top + gridRows * (cellH + labelH) + (gridRows - 1) * gap + 16
        return Layout(
            cellWidth: cellWidth, cellHeight: cellH, pixelSize: p, left: left + shift, top: top,
            gap: gap, labelHeight: labelH, width: width, height: height)
    }

    public func render() -> Canvas {
        let l = layout
        var canvas = Canvas(width: l.width, height: l.height)
        canvas.title(title)
        for (index, map) in maps.enumerated() {
            let (x0, y0) = l.origin(of: index, columns: columns)
            let range = scale.range(of: index, in: maps)
            let xOffset = (l.cellWidth - map.columns * l.pixelSize) / 2
            for r in 0..<map.rows {
                for c in 0..<map.columns {
                    let colour = colourMap.colour(normalise(map[r, c], range))
                    canvas.fill(
                        x: x0 + xOffset + c * l.pixelSize, y: y0 + r * l.pixelSize,
                        width: l.pixelSize, height: l.pixelSize, colour)
                }
            }
            // A thin frame, so a map whose edges are background (white or black) keeps its extent.
            canvas.rectangle(
                x: x0 + xOffset - 1, y: y0 - 1, width: map.columns * l.pixelSize + 2,
                height: map.rows * l.pixelSize + 2, .midGrey)
            // The label right under its own map (not under the tallest one), so that with maps
            // of several sizes it cannot be read as the title of the map below.
            if let labels, index < labels.count {
                canvas.text(
                    labels[index], centreX: x0 + l.cellWidth / 2, y: y0 + map.rows * l.pixelSize + 3,
                    colour: labelColours?[index] ?? .darkGrey)
            }
        }
        if colourBar, let range = commonRange {
            // High values at the top, from the first row of cells to the last.
            let rows = (maps.count + columns - 1) / columns
            let (_, top) = l.origin(of: 0, columns: columns)
            let (_, lastTop) = l.origin(of: (rows - 1) * columns, columns: columns)
            let height = lastTop + l.cellHeight - top
            let x = l.left + min(columns, maps.count) * (l.cellWidth + l.gap) + 8
            for y in 0..<height {
                canvas.fill(
                    x: x, y: top + y, width: 14, height: 1, colourMap.colour(1 - Float(y) / Float(max(height - 1, 1))))
            }
            canvas.rectangle(x: x - 1, y: top - 1, width: 16, height: height + 2, .darkGrey)
            let ticks = Ticks.nice(Double(range.0), Double(range.1), about: 4)
            for v in ticks.values {
                let t = normalise(Float(v), range)
                let y = top + Int((1 - t) * Float(height - 1))
                canvas.fill(x: x + 14, y: y, width: 4, height: 1, .darkGrey)
                canvas.text(Ticks.label(v, step: ticks.step), x: x + 21, y: y - 3)
            }
        }
        if let rowLabels {
            for (row, label) in rowLabels.enumerated() {
                let (_, y0) = l.origin(of: row * columns, columns: columns)
                canvas.text(label, x: l.left - Canvas.textWidth(label) - 8, y: y0 + l.cellHeight / 2 - 3)
            }
        }
        return canvas
    }
}
