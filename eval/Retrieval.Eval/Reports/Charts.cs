using ScottPlot;

namespace Retrieval.Eval.Reports;

/// <summary>Grouped bar charts: for each metric (or domain), one bar per mode (or threshold rule), side by side.</summary>
public static class Charts
{
    public static void Write(EvalReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Retrieval is { } r)
        {
            var metrics = r.Modes.Values.First().Values().Select(v => v.Name).ToList();
            var series = r.Modes.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value.Values().Select(v => v.Value).ToList());
            GroupedBars($"{r.Dataset} ({r.Split}, {r.Queries} queries, {r.Model})", metrics, series, path);
        }
        else if (report.Answers is { } a)
        {
            var names = new List<string> { "abstained", "support ratio", "citation precision", "citation recall", "answer contains gold" };
            var values = new List<double> { a.Abstained, a.SupportRatio, a.CitationPrecision, a.CitationRecall, a.AnswerContainsGold };
            GroupedBars($"{a.Dataset} answers ({a.Questions} questions)", names, new Dictionary<string, IReadOnlyList<double>> { ["ask"] = values }, path);
        }
        else if (report.Groundedness is { } g)
        {
            var groups = g.Groups.Keys.Append("mean").ToList();
            var series = new Dictionary<string, IReadOnlyList<double>>
            {
                [$"service threshold {g.Threshold}"] = g.Groups.Values.Select(v => v.BalancedAccuracy).Append(g.MeanBalancedAccuracy).ToList(),
            };
            if (g.HeldOut is { } held)
            {
                series["held-out threshold"] = g.Groups.Keys.Select(k => held.Groups[k].BalancedAccuracy).Append(held.MeanBalancedAccuracy).ToList();
            }

            if (g.Oracle is { } oracle)
            {
                series["oracle threshold (upper bound)"] = g.Groups.Keys.Select(k => oracle.Groups[k].BalancedAccuracy).Append(oracle.MeanBalancedAccuracy).ToList();
            }

            GroupedBars($"{g.Dataset}: balanced accuracy of {g.Detector}", groups, series, path);
        }
    }

    public static void GroupedBars(string title, IReadOnlyList<string> categories, IReadOnlyDictionary<string, IReadOnlyList<double>> series, string path)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = series.Count + 1;
        var index = 0;
        foreach (var (name, values) in series)
        {
            var color = palette.GetColor(index);
            var bars = values.Select((v, i) => new Bar
            {
                Position = (i * width) + index,
                Value = v,
                FillColor = color,
                Label = v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.ValueLabelStyle.FontSize = 10;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = color });
            index++;
        }

        var ticks = categories.Select((c, i) => new Tick((i * width) + ((series.Count - 1) / 2.0), c)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsY(0, 1.2);
        plot.Axes.SetLimitsX(-1, (categories.Count * width) - 1);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Math.Max(800, categories.Count * series.Count * 45), 480);
    }
}
