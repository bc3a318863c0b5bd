using System;
using System.Collections.Generic;
using System.Linq;

namespace TraceCraft.Bench.Report
{
    /// <summary>Percentiles by linear interpolation between closest ranks (R type 7, Excel PERCENTILE.INC); NaN when empty.</summary>
    public static class Stats
    {
        public static double Percentile(IEnumerable<double> values, double p)
        {
            var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            if (sorted.Length == 0) return double.NaN;
            double rank = p / 100.0 * (sorted.Length - 1);
            int low = (int)Math.Floor(rank);
            int high = (int)Math.Ceiling(rank);
            return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
        }

        public static double P50(IEnumerable<double> values) => Percentile(values, 50);
        public static double P95(IEnumerable<double> values) => Percentile(values, 95);
        public static double P99(IEnumerable<double> values) => Percentile(values, 99);

        public static double Mean(IEnumerable<double> values)
        {
            var list = values.Where(v => !double.IsNaN(v)).ToList();
            return list.Count == 0 ? double.NaN : list.Average();
        }

        public static double Max(IEnumerable<double> values)
        {
            var list = values.Where(v => !double.IsNaN(v)).ToList();
            return list.Count == 0 ? double.NaN : list.Max();
        }
    }
}
