using System;
using System.Globalization;

namespace TraceCraft.Wire
{
    /// <summary>
    /// Times on the wire: written as Python's isoformat() writes them (six fraction digits, '+00:00'), read in
    /// every form seen: no fraction, 1 to 9 fraction digits, 'Z' or an offset.
    /// </summary>
    public static class WireTime
    {
        public static string Format(DateTimeOffset time) =>
            time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

        public static bool TryParse(string? text, out DateTimeOffset time)
        {
            time = default;
            if (string.IsNullOrWhiteSpace(text)) return false;
            string s = text!.Trim();
            // .NET reads at most 7 fraction digits: cut longer fractions (nanoseconds from other writers).
            int dot = s.Length > 10 ? s.IndexOf('.', 10) : -1;
            if (dot > 0)
            {
                int end = dot + 1;
                while (end < s.Length && char.IsDigit(s[end])) end++;
                if (end - dot - 1 > 7) s = s.Substring(0, dot + 8) + s.Substring(end);
            }
            return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
        }

        /// <summary>Unix time in nanoseconds, as message keys carry it.</summary>
        public static long ToUnixNanoseconds(DateTimeOffset time) =>
            (time.UtcTicks - DateTimeOffset.FromUnixTimeSeconds(0).UtcTicks) * 100;

        public static DateTimeOffset FromUnixNanoseconds(long nanoseconds) =>
            new DateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(0).UtcTicks + nanoseconds / 100, TimeSpan.Zero);
    }
}
