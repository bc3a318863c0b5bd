using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using TraceCraft.Errors;

namespace TraceCraft.Setup
{
    /// <summary>What writing a marked block did to its file.</summary>
    public enum MarkedBlockChange
    {
        /// <summary>The file did not exist; it now holds the block.</summary>
        Created,
        /// <summary>The block was added at the end of the file, or the block already there was replaced.</summary>
        Updated,
        /// <summary>The file already held this exact block: nothing was written.</summary>
        Unchanged,
    }

    /// <summary>
    /// Our text inside someone else's file (CLAUDE.md, AGENTS.md), between a begin and an end marker line, so that
    /// running setup again replaces our block in place and never touches a byte outside it: the user's text, their
    /// line endings (a CRLF file stays CRLF, our block included), a UTF-8 byte order mark.
    /// </summary>
    public static class MarkedBlock
    {
        public const string Begin = "<!-- tracecraft:begin -->";
        public const string End = "<!-- tracecraft:end -->";

        /// <summary>
        /// <paramref name="existing"/> with <paramref name="block"/> (LF line endings, markers included) in it:
        /// replacing the marked block there, else appended after a blank line. Markers count only as whole lines, so a
        /// text that quotes them inline is left alone. Unmatched or repeated markers are an error (nothing to guess).
        /// </summary>
        public static string Merge(string existing, string block, string fileName)
        {
            string newline = NewlineOf(existing);
            string ours = block.Replace("\r\n", "\n").Replace("\n", newline);
            var begins = new List<(int Start, int End)>();
            var ends = new List<(int Start, int End)>();
            int lineStart = 0;
            while (lineStart < existing.Length)
            {
                int lineEnd = existing.IndexOf('\n', lineStart);
                int contentEnd = lineEnd < 0 ? existing.Length : lineEnd;
                if (contentEnd > lineStart && existing[contentEnd - 1] == '\r') contentEnd--;
                string line = existing.Substring(lineStart, contentEnd - lineStart).Trim();
                if (line == Begin) begins.Add((lineStart, contentEnd));
                else if (line == End) ends.Add((lineStart, contentEnd));
                if (lineEnd < 0) break;
                lineStart = lineEnd + 1;
            }

            if (begins.Count == 0 && ends.Count == 0)
            {
                if (existing.Length == 0) return ours + newline;
                var text = new StringBuilder(existing);
                if (!existing.EndsWith("\n", StringComparison.Ordinal)) text.Append(newline);
                if (!EndsWithBlankLine(text.ToString())) text.Append(newline);
                return text.Append(ours).Append(newline).ToString();
            }
            if (begins.Count != 1 || ends.Count != 1 || ends[0].Start < begins[0].End)
                throw new TcException(TcErrorCode.MarkedBlockDamaged,
                    $"{fileName} has {begins.Count} '{Begin}' and {ends.Count} '{End}' line(s), not one of each in that order: " +
                    "fix or remove them by hand, then run setup again. Nothing was written.", fileName);
            // From the begin marker's first character to the end marker's last: the line endings around stay the user's.
            return existing.Substring(0, begins[0].Start) + ours + existing.Substring(ends[0].End);
        }

        /// <summary>
        /// Writes <paramref name="block"/> into the file at <paramref name="path"/> (created with its folder when
        /// missing); writes nothing when the file already holds it. With <paramref name="dryRun"/>, only says what
        /// would change.
        /// </summary>
        public static MarkedBlockChange WriteTo(string path, string block, bool dryRun = false)
        {
            string name = Path.GetFileName(path);
            try
            {
                if (!File.Exists(path))
                {
                    if (Directory.Exists(path))
                        throw new TcException(TcErrorCode.InvalidArgument, $"{path} is a folder: name a file, or end the path with a separator.", path);
                    if (!dryRun)
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        File.WriteAllText(path, Merge("", block, name), new UTF8Encoding(false));
                    }
                    return MarkedBlockChange.Created;
                }
                string existing;
                Encoding encoding;
                // Detects a byte order mark, and keeps it: the encoding read is the one written back.
                using (var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true))
                {
                    existing = reader.ReadToEnd();
                    encoding = reader.CurrentEncoding;
                }
                string merged = Merge(existing, block, name);
                if (string.Equals(merged, existing, StringComparison.Ordinal)) return MarkedBlockChange.Unchanged;
                // Rewritten in place (not replaced by a renamed copy) so that the file keeps its mode, owner and links.
                if (!dryRun) File.WriteAllText(path, merged, encoding);
                return MarkedBlockChange.Updated;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.InvalidArgument, $"Cannot write {path}: {e.Message}", path, e);
            }
        }

        /// <summary>The file's line ending, from its first line; LF for a file with none.</summary>
        private static string NewlineOf(string text)
        {
            int lf = text.IndexOf('\n');
            return lf > 0 && text[lf - 1] == '\r' ? "\r\n" : "\n";
        }

        private static bool EndsWithBlankLine(string text) =>
            text.EndsWith("\n\n", StringComparison.Ordinal) || text.EndsWith("\r\n\r\n", StringComparison.Ordinal);
    }
}
