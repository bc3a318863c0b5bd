using System;
using System.Diagnostics;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>Stopwatch ticks to milliseconds, rounded to the microsecond for the result files.</summary>
    public static class Time
    {
        public static long Now => Stopwatch.GetTimestamp();

        public static double Ms(long fromTicks, long toTicks) => Math.Round((toTicks - fromTicks) * 1000.0 / Stopwatch.Frequency, 3);

        public static double Since(long fromTicks) => Ms(fromTicks, Stopwatch.GetTimestamp());

        public static double Round(double ms) => Math.Round(ms, 3);
    }
}
