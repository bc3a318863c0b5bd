using System;
using System.Collections.Generic;
using TraceCraft.Sessions;

namespace TraceCraft
{
    /// <summary>An agent session mirrored into the store: what its <c>sessions/&lt;harness&gt;/&lt;id&gt;/meta.json</c> says.</summary>
    public sealed class MirroredSession
    {
        public string Harness { get; init; } = "";
        public string SessionId { get; init; } = "";
        /// <summary>The transcript (or Hermes database) it was mirrored from, on the machine that mirrored it.</summary>
        public string? SourcePath { get; init; }
        public string? Cwd { get; init; }
        /// <summary>The TraceCraft agent that mirrored it.</summary>
        public string? AgentId { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? LastUploadedAt { get; init; }
        /// <summary>Set by Stop-TcSession (<c>session stop</c>); null while the session may go on.</summary>
        public DateTimeOffset? EndedAt { get; init; }
        public long TotalSourceBytes { get; init; }
        public long TotalUploadedBytes { get; init; }
        /// <summary>Secrets replaced, per pattern name, over all parts.</summary>
        public RedactionCounts RedactionCounts { get; init; } = RedactionCounts.Empty;
        public IReadOnlyList<SessionPart> Parts { get; init; } = Array.Empty<SessionPart>();
        /// <summary>The object key of its meta.json.</summary>
        public string Key { get; init; } = "";
        /// <summary>The meta.json as stored (what <c>session show</c> prints).</summary>
        public string MetaJson { get; init; } = "";
        /// <summary>The last lines of the mirrored transcript, when asked for (-Tail); null otherwise.</summary>
        public string[]? Tail { get; init; }

        public int PartCount => Parts.Count;
        /// <summary>Where the next flush starts reading the source: the end of the last part's cursor range.</summary>
        public long Cursor
        {
            get
            {
                long cursor = 0;
                foreach (var part in Parts) cursor = Math.Max(cursor, part.CursorTo);
                return cursor;
            }
        }

        public override string ToString() => Harness + "/" + SessionId;
    }

    /// <summary>One uploaded part of a mirrored session: the source range it covers and what was uploaded for it.</summary>
    public sealed class SessionPart
    {
        public int Seq { get; init; }
        /// <summary>The 8 hex digits of its object name.</summary>
        public string Uuid { get; init; } = "";
        /// <summary>Byte offsets (Hermes: message ids) of the source before and after this part.</summary>
        public long CursorFrom { get; init; }
        public long CursorTo { get; init; }
        public long SourceBytes { get; init; }
        public long UploadedBytes { get; init; }
        public RedactionCounts Redactions { get; init; } = RedactionCounts.Empty;
        public DateTimeOffset UploadedAt { get; init; }

        /// <summary><c>part-00000-1a2b3c4d</c>, as the mirror line names it.</summary>
        public string Name => "part-" + Seq.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + "-" + Uuid;

        public override string ToString() => Name;
    }

    /// <summary>The outcome of one mirror run: a part uploaded, or nothing new.</summary>
    public sealed class MirrorResult
    {
        public string Harness { get; init; } = "";
        public string SessionId { get; init; } = "";
        public string SourcePath { get; init; } = "";
        /// <summary>The part uploaded; null when there was nothing new (or less than the minimum).</summary>
        public SessionPart? Part { get; init; }
        public bool Uploaded => Part is not null;
        /// <summary>The source cursor after this run.</summary>
        public long Cursor { get; init; }
        /// <summary>How far the source goes: a file's length, Hermes' highest message id of the session.</summary>
        public long SourceSize { get; init; }

        public override string ToString() => Part is SessionPart p ? $"{Harness}/{SessionId} {p.Name}" : $"{Harness}/{SessionId} (nothing new)";
    }

    /// <summary>What <c>session stop</c> did.</summary>
    public sealed class SessionStopResult
    {
        public string SessionId { get; init; } = "";
        public string? Harness { get; init; }
        /// <summary>A local cursor file was deleted.</summary>
        public bool StateCleared { get; init; }
        /// <summary>meta.json got its ended_at now (false when it had one, or the session is not in the store).</summary>
        public bool MetaMarkedEnded { get; init; }
    }
}
