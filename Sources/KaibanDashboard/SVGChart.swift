import Foundation

/// An SVG chart drawn by hand: a plot area inside margins, a value axis, and marks that carry
/// their data in `data-*` attributes. Each chart has a `<title>` and a `<desc>` (its accessible
/// name and summary) and `role="img"`.
struct SVGChart {
    let id: String
    let width: Double
    let height: Double
    var left = 52.0
    var right = 16.0
    var top = 24.0
    var bottom = 40.0
    private(set) var body: [String] = []

    init(id: String, width: Double = 720, height: Double = 260) {
        self.id = id
        self.width = width
        self.height = height
    }

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    mutating func add(_ element: String) {
        body.append(element)
    }

    /// `<line>` from (x1, y1) to (x2, y2) with `class` and extra attributes.
    mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, className: String,
        _ data: KeyValuePairs<String, String> = [:]
    ) {
        add(
            "<line class=\"\(className)\" x1=\"\(HTMLText.point(x1))\" y1=\"\(HTMLText.point(y1))\" x2=\"\(HTMLText.point(x2))\" y2=\"\(HTMLText.point(y2))\"\(HTMLText.attributes(data))/>"
        )
    }

    /// `<rect>` with `class`, its data and a tooltip (`<title>` inside).
    mutating func rect(
        x: Double, y: Double, width: Double, height: Double, className: String, tip: String,
        _ data: KeyValuePairs<String, String>
    ) {
        add(
            "<rect class=\"\(className)\" x=\"\(HTMLText.point(x))\" y=\"\(HTMLText.point(y))\" width=\"\(HTMLText.point(max(0, width)))\" height=\"\(HTMLText.point(max(0, height)))\"\(HTMLText.attributes(data))><title>\(HTMLText.escape(tip))</title></rect>"
        )
    }

    /// `<text>` at (x, y), anchored `anchor` (start, middle, end).
    mutating func text(_ content: String, x: Double, y: Double, anchor: String = "middle", className: String = "label")
    {
        add(
            "<text class=\"\(className)\" x=\"\(HTMLText.point(x))\" y=\"\(HTMLText.point(y))\" text-anchor=\"\(anchor)\">\(HTMLText.escape(content))</text>"
        )
    }

    /// A vertical value axis from 0 to `maximum` with about five ticks, gridlines and a unit label.
    mutating func valueAxis(maximum: Double, unit: String) {
        let step = Self.niceStep(maximum / 5)
        var value = 0.0
        while value <= maximum + 0.0001 {
            let y = top + plotHeight - value / maximum * plotHeight
            line(left, y, left + plotWidth, y, className: "grid")
            text(HTMLText.point(value), x: left - 6, y: y + 4, anchor: "end", className: "tick")
            value += step
        }
        text(unit, x: 4, y: 10, anchor: "start", className: "unit")
    }

    /// A round step (1, 2 or 5 times a power of ten) at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        let power = pow(10, floor(log10(raw)))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= raw { return factor * power }
        return 10 * power
    }

    /// A maximum for the value axis: the largest value or `floor`, rounded up to a whole step.
    static func scale(_ values: [Double], floor: Double) -> Double {
        let largest = max(values.max() ?? 0, floor, 1)
        let step = niceStep(largest / 5)
        return (largest / step).rounded(.up) * step
    }

    /// The chart as an `<svg>` element, titled and described.
    func svg(title: String, description: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" id="\(id)" class="chart" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(HTMLText.point(width)) \(HTMLText.point(height))" width="\(HTMLText.point(width))" height="\(HTMLText.point(height))"><title id="\(id)-title">\(HTMLText.escape(title))</title><desc id="\(id)-desc">\(HTMLText.escape(description))</desc>
        \(body.joined(separator: "\n"))
        </svg>
        """
    }
}
