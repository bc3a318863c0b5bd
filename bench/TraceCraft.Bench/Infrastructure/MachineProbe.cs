using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TraceCraft.Bench.Results;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>What machine the benchmark ran on, read from /proc (cores, memory, CPU model, load) and the runtime.</summary>
    public static class MachineProbe
    {
        public static MachineInfo Describe()
        {
            return new MachineInfo
            {
                LogicalCores = Environment.ProcessorCount,
                CpuModel = ReadCpuModel(),
                MemTotalKiB = ReadMemInfo("MemTotal"),
                MemAvailableKiBAtStart = ReadMemInfo("MemAvailable"),
                Os = RuntimeInformation.OSDescription,
                Kernel = TryReadFirstLine("/proc/sys/kernel/osrelease"),
                DotnetRuntime = RuntimeInformation.FrameworkDescription,
                DotnetSdk = Command.TryRun("dotnet", "--version")?.Trim(),
                ProcessArchitecture = RuntimeInformation.ProcessArchitecture.ToString(),
            };
        }

        /// <summary>The 1-minute load average from /proc/loadavg (NaN where there is none).</summary>
        public static double LoadAverage1()
        {
            string? line = TryReadFirstLine("/proc/loadavg");
            if (line is null) return double.NaN;
            return double.TryParse(line.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        }

        private static string? ReadCpuModel()
        {
            try
            {
                return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            }
            catch (IOException)
            {
                return null;
            }
        }

        private static long? ReadMemInfo(string field)
        {
            try
            {
                var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
                if (line is null) return null;
                var number = line.Substring(field.Length + 1).Trim().Split(' ')[0];
                return long.Parse(number, CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return null;
            }
        }

        private static string? TryReadFirstLine(string path)
        {
            try
            {
                return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
