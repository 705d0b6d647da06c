/// The page's inline style: screen and print (A4 landscape). System fonts only, CJK first.
enum DashboardStyle {
    static let css = """
        @page { size: A4 landscape; margin: 12mm; }
        :root { --ink: #1f2933; --muted: #616e7c; --line: #cbd2d9; --gov: #2b6cb0; --p90: #dd6b20; --over: #c53030; --ok: #2f855a; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1500px; padding: 16px 24px; color: var(--ink); font: 14px/1.5 "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 16px; margin: 0 0 8px; border-left: 4px solid var(--gov); padding-left: 8px; }
        .meta, .note, footer { color: var(--muted); font-size: 12px; }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(640px, 1fr)); gap: 16px 24px; }
        section { break-inside: avoid; page-break-inside: avoid; }
        #figures, #at-risk { grid-column: 1 / -1; }
        dl.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 8px; margin: 0; }
        .figure { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
        dt { color: var(--muted); font-size: 12px; }
        dd { margin: 0; font-size: 22px; font-weight: 600; }
        svg.chart { width: 100%; height: auto; max-width: 100%; }
        svg text { fill: var(--ink); font-size: 11px; }
        svg .tick, svg .unit { fill: var(--muted); font-size: 10px; }
        svg .grid { stroke: var(--line); stroke-width: 0.5; }
        svg .budget { stroke: var(--over); stroke-width: 2; stroke-dasharray: 5 3; fill: var(--over); }
        svg .budget-label { fill: var(--over); }
        svg .bar.within { fill: var(--gov); }
        svg .bar.over { fill: var(--p90); }
        svg .bar.median, svg .key.median, svg circle.median { fill: var(--gov); }
        svg .bar.p90, svg .key.p90, svg circle.p90 { fill: var(--p90); }
        svg .series { fill: none; stroke-width: 2; }
        svg .series.median { stroke: var(--gov); }
        svg .series.p90 { stroke: var(--p90); }
        svg .part.government { fill: var(--gov); }
        svg .part.applicant.part-1 { fill: var(--p90); }
        svg .part.applicant.part-2 { fill: #d69e2e; }
        svg .part.applicant.part-3 { fill: #805ad5; }
        svg .part.applicant.part-0 { fill: #b7791f; }
        svg .part.special { fill: #718096; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
        tr.breached td { color: var(--over); font-weight: 600; }
        tr.at-risk td { color: #b7791f; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11px; }
          main { grid-template-columns: 1fr 1fr; gap: 8px 16px; }
          #at-risk-status { display: none; }
          h1 { font-size: 18px; }
          dd { font-size: 16px; }
        }
        """
}
