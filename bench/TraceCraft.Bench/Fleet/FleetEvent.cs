using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace TraceCraft.Bench.Fleet
{
    /// <summary>
    /// One command a fleet worker ran, as its log line records it: kind (claim, idle, complete, recover), exit code,
    /// start and end (Unix seconds), the step and fencing token, and the first error line when it failed.
    /// </summary>
    public sealed record FleetEvent(string Worker, string Kind, int ExitCode, double Start, double End, string? Step, long? Token, string? Error)
    {
        public double Ms => (End - Start) * 1000;
        public bool Ok => ExitCode == 0;

        /// <summary>The events of one worker's log (fleet-worker.sh writes it; a line cut short by a kill -9 is skipped).</summary>
        public static List<FleetEvent> ReadLog(string worker, string path)
        {
            var events = new List<FleetEvent>();
            if (!File.Exists(path)) return events;
            string text;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream))
                text = reader.ReadToEnd();
            foreach (var line in text.Split('\n'))
            {
                var f = line.Split(' ', 7);
                if (f.Length < 4 || !int.TryParse(f[1], out int rc)) continue;
                if (!double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double start)) continue;
                if (!double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double end)) continue;
                string? step = f.Length > 4 && f[4] != "-" ? f[4] : null;
                long? token = f.Length > 5 && long.TryParse(f[5], out long t) ? t : null;
                events.Add(new FleetEvent(worker, f[0], rc, start, end, step, token, f.Length > 6 ? f[6] : null));
            }
            return events;
        }

        public static double UnixNow => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    }
}
