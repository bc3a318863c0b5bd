using System;
using System.IO;
using System.Text.Json;
using TraceCraft.Errors;

namespace TraceCraft.Sessions
{
    /// <summary>
    /// A JSONL transcript file that its agent appends to (Claude Code, Codex, OpenClaw). The cursor is a byte offset;
    /// a read ends after the last '\n', so a line the agent is half-way through writing waits for the next run.
    /// </summary>
    public sealed class TranscriptFileSource : SessionSource
    {
        public TranscriptFileSource(string harness, string sessionId, string path, string? cwd)
            : base(harness, sessionId, path, cwd ?? CwdFromFirstLine(path))
        {
        }

        public override SourceRead ReadFrom(long cursor)
        {
            try
            {
                using var file = new FileStream(SourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
                long size = file.Length;
                if (cursor >= size) return new SourceRead(Array.Empty<byte>(), cursor, cursor, size);
                file.Seek(cursor, SeekOrigin.Begin);
                long available = size - cursor;
                if (available > int.MaxValue - 64)
                    throw new TcException(TcErrorCode.SessionSourceUnreadable,
                        $"The transcript '{SourcePath}' has {available} new bytes, more than one part can hold: mirror it more often.", SourcePath);
                var buffer = new byte[available];
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = file.Read(buffer, read, buffer.Length - read);
                    if (n == 0) break;
                    read += n;
                }
                int complete = Array.LastIndexOf(buffer, (byte)'\n', read - 1) + 1;
                if (complete < buffer.Length) Array.Resize(ref buffer, complete);
                return new SourceRead(buffer, cursor, cursor + complete, size);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.SessionSourceUnreadable, $"Cannot read the transcript '{SourcePath}': {e.Message}", SourcePath, e);
            }
        }

        /// <summary>
        /// The session's working folder as its first line records it: Codex's <c>session_meta</c> has <c>payload.cwd</c>,
        /// Claude Code and OpenClaw entries carry <c>cwd</c>. Null when the first line says nothing (or is not JSON yet).
        /// </summary>
        private static string? CwdFromFirstLine(string path)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var buffer = new byte[64 * 1024];
                int read = file.Read(buffer, 0, buffer.Length);
                int end = Array.IndexOf(buffer, (byte)'\n', 0, read);
                if (end < 0) return null;
                using var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(buffer, 0, end));
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                if (root.TryGetProperty("cwd", out var cwd) && cwd.ValueKind == JsonValueKind.String) return cwd.GetString();
                if (root.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object
                    && payload.TryGetProperty("cwd", out cwd) && cwd.ValueKind == JsonValueKind.String) return cwd.GetString();
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                return null;
            }
        }
    }
}
