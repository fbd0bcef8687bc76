/// Several finished figures placed left to right under one title, top-aligned —
/// for "input, filter, output" pictures where each part has its own scale.
public struct Panels {
    public var title: String
    public var panels: [Canvas]
    public var gap = 24

    public init(title: String, panels: [Canvas]) {
        require(!panels.isEmpty, "Panels needs at least one panel")
        self.title = title
        self.panels = panels
    }

    public func render() -> Canvas {
        let top = 36
        let contentWidth = panels.reduce(0) { $0 + $1.width } + gap * (panels.count - 1) + 16
        let width = max(contentWidth, Canvas.titleWidth(title))
        let height = top + (panels.map(\.height).max() ?? 0) + 8
        var canvas = Canvas(width: width, height: height)
        canvas.title(title)
        var x = 8 + (width - contentWidth) / 2
        for panel in panels {
            canvas.draw(panel, x: x, y: top)
            x += panel.width + gap
        }
        return canvas
    }
}
