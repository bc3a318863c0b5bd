using System.Text;

namespace TraceCraft.Keys
{
    /// <summary>
    /// Python 3's <c>str.lower()</c>, exactly, on every platform. The original CLI derives a step's folder with
    /// <c>sid.lower()</c>; any difference (final sigma, U+0130, characters the platform's tables do not know)
    /// puts the same step under two keys, and then two agents both win its claim. .NET's casing depends on
    /// the runtime (NLS, ICU, invariant globalization, .NET Framework) and never applies the final-sigma rule,
    /// so the mapping comes from our own tables, generated from Python by tools/Generate-PythonLowercase.py
    /// (see <see cref="UnicodeVersion"/>).
    /// </summary>
    internal static partial class PythonLowercase
    {
        private const int CapitalSigma = 0x3A3, SmallSigma = 0x3C3, FinalSigma = 0x3C2;

        /// <summary>The lower-case form Python gives <paramref name="text"/>, code point by code point.</summary>
        public static string Lower(string text)
        {
            // Ordinary ids are ASCII and often already lower-case: find the first character to change.
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c >= 0x80 || (c >= 'A' && c <= 'Z')) break;
                i++;
            }
            if (i == text.Length) return text;
            if (IsAscii(text, i))
            {
                char[] chars = text.ToCharArray();
                for (int k = i; k < chars.Length; k++)
                    if (chars[k] >= 'A' && chars[k] <= 'Z') chars[k] = (char)(chars[k] + 32);
                return new string(chars);
            }

            var result = new StringBuilder(text.Length + 8);
            result.Append(text, 0, i);
            while (i < text.Length)
            {
                char c = text[i];
                if (c < 0x80)
                {
                    result.Append(c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
                    i++;
                    continue;
                }
                int codePoint = CodePointAt(text, i);
                int width = codePoint > 0xFFFF ? 2 : 1;
                if (codePoint == CapitalSigma)
                    result.Append((char)(IsFinalSigma(text, i, i + width) ? FinalSigma : SmallSigma));
                else
                    AppendLower(result, codePoint);
                i += width;
            }
            return result.ToString();
        }

        private static bool IsAscii(string text, int start)
        {
            for (int k = start; k < text.Length; k++)
                if (text[k] >= 0x80) return false;
            return true;
        }

        /// <summary>
        /// CPython's handle_capital_sigma: final when a cased character comes before (skipping case-ignorable
        /// ones) and no cased character comes after (skipping case-ignorable ones).
        /// </summary>
        private static bool IsFinalSigma(string text, int start, int end)
        {
            int j = start;
            int before = -1;
            while (j > 0)
            {
                int codePoint = CodePointBefore(text, j);
                j -= codePoint > 0xFFFF ? 2 : 1;
                if (!InRanges(s_caseIgnorable, codePoint)) { before = codePoint; break; }
            }
            if (before < 0 || !InRanges(s_cased, before)) return false;

            j = end;
            while (j < text.Length)
            {
                int codePoint = CodePointAt(text, j);
                j += codePoint > 0xFFFF ? 2 : 1;
                if (!InRanges(s_caseIgnorable, codePoint)) return !InRanges(s_cased, codePoint);
            }
            return true;
        }

        private static void AppendLower(StringBuilder result, int codePoint)
        {
            int multi = System.Array.BinarySearch(s_multiFrom, codePoint);
            if (multi >= 0)
            {
                result.Append(s_multiTo[multi]);
                return;
            }
            int lower = codePoint;
            // The last run whose first code point is <= codePoint; runs are quadruples sorted by first.
            int lo = 0, hi = s_runs.Length / 4 - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (s_runs[mid * 4] <= codePoint) lo = mid + 1; else hi = mid - 1;
            }
            if (hi >= 0)
            {
                int first = s_runs[hi * 4], last = s_runs[hi * 4 + 1], stride = s_runs[hi * 4 + 2];
                if (codePoint <= last && (codePoint - first) % stride == 0) lower = codePoint + s_runs[hi * 4 + 3];
            }
            AppendCodePoint(result, lower);
        }

        /// <summary>Whether codePoint lies in one of the inclusive (first, last) pairs of a sorted table.</summary>
        private static bool InRanges(int[] pairs, int codePoint)
        {
            int lo = 0, hi = pairs.Length / 2 - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (pairs[mid * 2] <= codePoint) lo = mid + 1; else hi = mid - 1;
            }
            return hi >= 0 && codePoint <= pairs[hi * 2 + 1];
        }

        // netstandard2.0 has no Rune: surrogate pairs are decoded by hand. A lone surrogate stands for itself,
        // as it does in a Python str; it has no case and is neither cased nor case-ignorable.
        private static int CodePointAt(string text, int index)
        {
            char c = text[index];
            if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
                return char.ConvertToUtf32(c, text[index + 1]);
            return c;
        }

        private static int CodePointBefore(string text, int index)
        {
            char c = text[index - 1];
            if (char.IsLowSurrogate(c) && index - 2 >= 0 && char.IsHighSurrogate(text[index - 2]))
                return char.ConvertToUtf32(text[index - 2], c);
            return c;
        }

        private static void AppendCodePoint(StringBuilder result, int codePoint)
        {
            if (codePoint <= 0xFFFF)
            {
                result.Append((char)codePoint);
                return;
            }
            int offset = codePoint - 0x10000;
            result.Append((char)(0xD800 + (offset >> 10))).Append((char)(0xDC00 + (offset & 0x3FF)));
        }
    }
}
