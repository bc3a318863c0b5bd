using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TraceCraft.Bench.Results;

namespace TraceCraft.Bench.Report
{
    /// <summary>
    /// bench/results/&lt;date&gt;.svg: a self-contained SVG (no scripts, no external fonts or files) computed from the raw
    /// results: claim contention latency by N, barrier latency by waiters, inbox requests by history size.
    /// </summary>
    public static class SvgChart
    {
        private const int PanelWidth = 420, PanelHeight = 450, Left = 60, Top = 50, PlotWidth = 330, PlotHeight = 250, LegendTop = Top + PlotHeight + 64;
        private static readonly string[] Palette = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf" };

        public static string Generate(BenchRun run)
        {
            var svg = new StringBuilder();
            int width = PanelWidth * 3;
            svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{PanelHeight}\" viewBox=\"0 0 {width} {PanelHeight}\" font-family=\"sans-serif\" font-size=\"11\">");
            svg.AppendLine($"<rect width=\"{width}\" height=\"{PanelHeight}\" fill=\"white\"/>");
            svg.AppendLine($"<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">TraceCraft benchmark {Esc(run.Date)} ({Esc(run.Profile)}): {run.Machine.LogicalCores} cores, {Esc(ShortVersion(run.Server.Version))}, {Esc(run.Machine.DotnetRuntime ?? "")}</text>");
            ContentionPanel(svg, run, 0);
            BarrierPanel(svg, run, PanelWidth);
            InboxPanel(svg, run, 2 * PanelWidth);
            svg.AppendLine("</svg>");
            return svg.ToString();
        }

        private static void ContentionPanel(StringBuilder svg, BenchRun run, int x0)
        {
            var trials = run.Contention?.Trials.Where(t => t.Backend == "s3").ToList() ?? new List<ContentionTrial>();
            var ns = trials.Select(t => t.Agents).Distinct().OrderBy(n => n).ToList();
            var lines = new List<(string Label, string Color, bool Dashed, double[] Values)>();
            double[] Line(string mode, Func<List<ContentionTrial>, double> f) =>
                ns.Select(n => f(trials.Where(t => t.Agents == n && t.Mode == mode).ToList())).ToArray();
            lines.Add(("winner p50", Palette[0], false, Line("simultaneous", ts => Stats.P50(ts.Where(t => t.Winner >= 0).Select(t => t.LatencyMs[t.Winner])))));
            lines.Add(("all p50", Palette[2], false, Line("simultaneous", ts => Stats.P50(ts.SelectMany(t => t.LatencyMs)))));
            lines.Add(("all p95", Palette[4], false, Line("simultaneous", ts => Stats.P95(ts.SelectMany(t => t.LatencyMs)))));
            lines.Add(("all p99", Palette[1], false, Line("simultaneous", ts => Stats.P99(ts.SelectMany(t => t.LatencyMs)))));
            lines.Add(("staggered all p50", Palette[5], true, Line("staggered", ts => Stats.P50(ts.SelectMany(t => t.LatencyMs)))));
            var theirs = PublishedFigures.Contention.SelectMany(p => new[] { (p.N, p.WinnerP50, Palette[0]), (p.N, p.AllP50, Palette[2]), (p.N, p.AllP95, Palette[4]) })
                .Where(p => ns.Contains(p.N) && !double.IsNaN(p.Item2)).ToList();
            double max = Math.Max(lines.SelectMany(l => l.Values).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max(), theirs.Select(t => t.Item2).DefaultIfEmpty(0).Max());
            var (top, step) = NiceScale(max);
            Frame(svg, x0, "Claim contention on S3: latency by N (ms)", "agents N", top, step);
            double X(int i) => x0 + Left + (ns.Count <= 1 ? PlotWidth / 2.0 : i * PlotWidth / (double)(ns.Count - 1));
            for (int i = 0; i < ns.Count; i++) Text(svg, X(i), Top + PlotHeight + 16, ns[i].ToString(CultureInfo.InvariantCulture), "middle");
            foreach (var (label, color, dashed, values) in lines)
            {
                var points = values.Select((v, i) => (X(i), Y(v, top))).Where(p => !double.IsNaN(p.Item2)).ToList();
                if (points.Count == 0) continue;
                svg.AppendLine($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5,4\"" : "")} points=\"{string.Join(" ", points.Select(p => $"{N(p.Item1)},{N(p.Item2)}"))}\"/>");
                foreach (var p in points) svg.AppendLine($"<circle cx=\"{N(p.Item1)}\" cy=\"{N(p.Item2)}\" r=\"3\" fill=\"{color}\"/>");
            }
            foreach (var (n, value, color) in theirs)
            {
                double x = X(ns.IndexOf(n)), y = Y(value, top);
                svg.AppendLine($"<path d=\"M{N(x)},{N(y - 6)} L{N(x + 5)},{N(y + 4)} L{N(x - 5)},{N(y + 4)} Z\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>");
            }
            var legend = lines.Select(l => (l.Label, l.Color, l.Dashed ? "dash" : "line")).ToList();
            legend.Add(("theirs on MinIO (published)", "#555", "triangle"));
            Legend(svg, x0 + Left, LegendTop, legend);
        }

        private static void BarrierPanel(StringBuilder svg, BenchRun run, int x0)
        {
            var groups = run.Barrier?.Trials.GroupBy(t => (t.Backend, t.Waiters)).OrderBy(g => g.Key.Backend == "s3" ? 0 : 1).ThenBy(g => g.Key.Waiters).ToList()
                         ?? new List<IGrouping<(string, int), BarrierTrial>>();
            var bars = groups.Select(g => (Store: g.Key.Item1, Label: g.Key.Item2.ToString(CultureInfo.InvariantCulture), P50: Stats.P50(g.SelectMany(t => t.LatencyMs)), P95: Stats.P95(g.SelectMany(t => t.LatencyMs)))).ToList();
            double max = Math.Max(MarkdownReport.BarrierTargetMs * 1.2, bars.Select(b => b.P95).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max());
            var (top, step) = NiceScale(max);
            Frame(svg, x0, "Barrier: completing write → waiter returns (ms)", "waiters, by store", top, step);
            double slot = PlotWidth / (double)Math.Max(1, bars.Count);
            for (int i = 0; i < bars.Count; i++)
            {
                double xs = x0 + Left + i * slot;
                Bar(svg, xs + slot * 0.12, slot * 0.36, bars[i].P50, top, Palette[0]);
                Bar(svg, xs + slot * 0.50, slot * 0.36, bars[i].P95, top, Palette[4]);
                Text(svg, xs + slot / 2, Top + PlotHeight + 14, bars[i].Label, "middle");
                if (i == 0 || bars[i - 1].Store != bars[i].Store) Text(svg, xs + 2, Top + PlotHeight + 27, bars[i].Store, "start", "#000", bold: true);
            }
            double yt = Y(MarkdownReport.BarrierTargetMs, top);
            svg.AppendLine($"<line x1=\"{x0 + Left}\" x2=\"{x0 + Left + PlotWidth}\" y1=\"{N(yt)}\" y2=\"{N(yt)}\" stroke=\"#d62728\" stroke-dasharray=\"6,3\"/>");
            Legend(svg, x0 + Left, LegendTop, new List<(string, string, string)>
            {
                ("p50", Palette[0], "box"), ("p95", Palette[4], "box"), ($"target: median ≤ {MarkdownReport.BarrierTargetMs:0} ms", "#d62728", "dash"),
            });
        }

        private static void InboxPanel(StringBuilder svg, BenchRun run, int x0)
        {
            var cases = run.Inbox?.Cases.Where(c => c.Backend == "s3" && c.Variant == "aged").OrderBy(c => c.Old).ToList() ?? new List<InboxCase>();
            double max = cases.Select(c => (double)Math.Max(c.First.Requests, c.Later.Requests)).DefaultIfEmpty(10).Max();
            int decades = Math.Max(2, (int)Math.Ceiling(Math.Log10(Math.Max(10, max))));
            FrameLog(svg, x0, "Inbox on S3 (aged history): requests per read", "old messages + 10 new", decades);
            double slot = PlotWidth / (double)Math.Max(1, cases.Count);
            for (int i = 0; i < cases.Count; i++)
            {
                double xs = x0 + Left + i * slot;
                LogBar(svg, xs + slot * 0.12, slot * 0.36, cases[i].First.Requests, decades, Palette[3]);
                LogBar(svg, xs + slot * 0.50, slot * 0.36, cases[i].Later.Requests, decades, Palette[2]);
                Text(svg, xs + slot / 2, Top + PlotHeight + 16, cases[i].Old.ToString("N0", CultureInfo.InvariantCulture), "middle");
            }
            double yt = YLog(MarkdownReport.InboxTargetRequests, decades);
            svg.AppendLine($"<line x1=\"{x0 + Left}\" x2=\"{x0 + Left + PlotWidth}\" y1=\"{N(yt)}\" y2=\"{N(yt)}\" stroke=\"#d62728\" stroke-dasharray=\"6,3\"/>");
            Legend(svg, x0 + Left, LegendTop, new List<(string, string, string)>
            {
                ("first read (cold)", Palette[3], "box"), ("later read (10 new)", Palette[2], "box"),
                ($"target: later read ≤ ~{MarkdownReport.InboxTargetRequests} requests (1,000 old)", "#d62728", "dash"),
            });
        }

        private static void Frame(StringBuilder svg, int x0, string title, string xLabel, double top, double step)
        {
            Text(svg, x0 + Left, Top - 14, title, "start", "#000", bold: true);
            for (double v = 0; v <= top + step / 2; v += step)
            {
                double y = Y(v, top);
                svg.AppendLine($"<line x1=\"{x0 + Left}\" x2=\"{x0 + Left + PlotWidth}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke=\"#e5e5e5\"/>");
                Text(svg, x0 + Left - 6, y + 4, v.ToString("0.##", CultureInfo.InvariantCulture), "end");
            }
            Axes(svg, x0, xLabel);
        }

        private static void FrameLog(StringBuilder svg, int x0, string title, string xLabel, int decades)
        {
            Text(svg, x0 + Left, Top - 14, title, "start", "#000", bold: true);
            for (int d = 0; d <= decades; d++)
            {
                double y = YLog(Math.Pow(10, d), decades);
                svg.AppendLine($"<line x1=\"{x0 + Left}\" x2=\"{x0 + Left + PlotWidth}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke=\"#e5e5e5\"/>");
                Text(svg, x0 + Left - 6, y + 4, Math.Pow(10, d).ToString("N0", CultureInfo.InvariantCulture), "end");
            }
            Axes(svg, x0, xLabel + " (log scale)");
        }

        private static void Axes(StringBuilder svg, int x0, string xLabel)
        {
            svg.AppendLine($"<line x1=\"{x0 + Left}\" x2=\"{x0 + Left}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\" stroke=\"#333\"/>");
            svg.AppendLine($"<line x1=\"{x0 + Left}\" x2=\"{x0 + Left + PlotWidth}\" y1=\"{Top + PlotHeight}\" y2=\"{Top + PlotHeight}\" stroke=\"#333\"/>");
            Text(svg, x0 + Left + PlotWidth / 2.0, Top + PlotHeight + 44, xLabel, "middle");
        }

        private static void Bar(StringBuilder svg, double x, double width, double value, double top, string color)
        {
            if (double.IsNaN(value)) return;
            double y = Y(value, top);
            svg.AppendLine($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(Top + PlotHeight - y)}\" fill=\"{color}\"/>");
            Text(svg, x + width / 2, y - 3, value.ToString("0", CultureInfo.InvariantCulture), "middle", "#333", size: 9);
        }

        private static void LogBar(StringBuilder svg, double x, double width, double value, int decades, string color)
        {
            double y = YLog(Math.Max(1, value), decades);
            svg.AppendLine($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(Top + PlotHeight - y)}\" fill=\"{color}\"/>");
            Text(svg, x + width / 2, y - 3, value.ToString("0", CultureInfo.InvariantCulture), "middle", "#333", size: 9);
        }

        private static void Legend(StringBuilder svg, double x, double y, List<(string Label, string Color, string Kind)> items)
        {
            for (int i = 0; i < items.Count; i++)
            {
                double yi = y + i * 15;
                var (label, color, kind) = items[i];
                switch (kind)
                {
                    case "box": svg.AppendLine($"<rect x=\"{N(x)}\" y=\"{N(yi - 4)}\" width=\"14\" height=\"9\" fill=\"{color}\"/>"); break;
                    case "triangle": svg.AppendLine($"<path d=\"M{N(x + 7)},{N(yi - 6)} L{N(x + 12)},{N(yi + 4)} L{N(x + 2)},{N(yi + 4)} Z\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>"); break;
                    default: svg.AppendLine($"<line x1=\"{N(x)}\" x2=\"{N(x + 14)}\" y1=\"{N(yi)}\" y2=\"{N(yi)}\" stroke=\"{color}\" stroke-width=\"2\"{(kind == "dash" ? " stroke-dasharray=\"4,3\"" : "")}/>"); break;
                }
                Text(svg, x + 19, yi + 4, label, "start");
            }
        }

        private static void Text(StringBuilder svg, double x, double y, string text, string anchor, string color = "#333", bool bold = false, int size = 11) =>
            svg.AppendLine($"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\" fill=\"{color}\" font-size=\"{size}\"{(bold ? " font-weight=\"bold\"" : "")}>{Esc(text)}</text>");

        private static double Y(double value, double top) => double.IsNaN(value) ? double.NaN : Top + PlotHeight - Math.Min(value, top) / top * PlotHeight;

        private static double YLog(double value, int decades) => Top + PlotHeight - Math.Log10(Math.Max(1, value)) / decades * PlotHeight;

        /// <summary>An axis top and tick step of 1, 2 or 5 × 10^k covering <paramref name="max"/> in about 5 ticks.</summary>
        private static (double Top, double Step) NiceScale(double max)
        {
            if (max <= 0 || double.IsNaN(max)) max = 1;
            double raw = max / 5;
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(f => f * magnitude).First(s => s >= raw);
            return (Math.Ceiling(max / step) * step, step);
        }

        /// <summary>"ceph version 16.2.15 (hash) pacific (stable); ..." becomes "ceph 16.2.15 pacific (stable)".</summary>
        private static string ShortVersion(string version)
        {
            string first = version.Split(';')[0].Trim();
            var m = System.Text.RegularExpressions.Regex.Match(first, @"^ceph version (\S+) \([0-9a-f]+\) (.*)$");
            return m.Success ? $"Ceph RGW {m.Groups[1].Value} {m.Groups[2].Value}" : first;
        }

        private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        private static string Esc(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
    }
}
