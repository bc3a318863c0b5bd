using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft.Sessions
{
    /// <summary>What to mirror and how.</summary>
    public sealed class MirrorRequest
    {
        public string Harness { get; init; } = SessionHarness.ClaudeCode;
        /// <summary>The session; null for the harness's most recent one.</summary>
        public string? SessionId { get; init; }
        /// <summary>Claude Code: whose project folder (default: the working directory). Codex: only sessions started there.</summary>
        public string? Cwd { get; init; }
        public bool Redact { get; init; } = true;
        /// <summary>Upload only when at least this many new source bytes are complete (default 1: anything new).</summary>
        public long MinBytes { get; init; } = 1;
        public SessionSourceOptions Sources { get; init; } = new SessionSourceOptions();
    }

    /// <summary>
    /// Mirrors agent session transcripts into the store, next to the coordination state, as the original 0.2.2 does:
    /// <c>sessions/&lt;harness&gt;/&lt;id&gt;/part-NNNNN-xxxxxxxx.jsonl</c> parts that concatenate to the (redacted) source,
    /// and a cumulative <c>meta.json</c>.
    /// <para>
    /// The store is the truth. Where to read on from is the end of the last part that meta.json records, and the next
    /// sequence number comes from a listing of the session's folder, so a lost or stale local cursor file
    /// (<c>~/.tracecraft/mirror-state/&lt;id&gt;.json</c>, kept for the original's tools and for <c>stop</c>) neither
    /// duplicates nor skips anything, and a session mirrored into a second project starts there from 0. A run with
    /// nothing new reads meta.json and writes nothing.
    /// </para>
    /// </summary>
    public sealed class SessionMirrorService
    {
        private const int MetaWriteAttempts = 5;
        private readonly TcSession _session;

        internal SessionMirrorService(TcSession session) => _session = session;

        /// <summary>Where the local cursor files live: <c>~/.tracecraft/mirror-state</c> (TRACECRAFT_HOME replaces ~/.tracecraft).</summary>
        public static string DefaultStateDirectory => Path.Combine(ConfigLoader.ProcessHomeDirectory, "mirror-state");

        /// <summary>Uploads what is new in a session's transcript as one part, or nothing.</summary>
        public async Task<MirrorResult> MirrorAsync(MirrorRequest request, string? stateDirectory = null, CancellationToken cancellationToken = default)
        {
            if (request.MinBytes < 1) throw new TcException(TcErrorCode.InvalidArgument, $"The minimum of new bytes must be 1 or more, not {request.MinBytes}.", request.MinBytes);
            var source = SessionLocator.Find(request.Harness, request.SessionId, request.Cwd, request.Sources);
            string metaKey = _session.Layout.SessionMetaKey(source.Harness, source.SessionId);
            var (meta, etag) = await ReadMetaAsync(metaKey, cancellationToken).ConfigureAwait(false);
            long cursor = meta?.Cursor ?? 0;
            var read = source.ReadFrom(cursor);
            if (read.Size < cursor && source is TranscriptFileSource)
                _session.Warn($"The transcript '{source.SourcePath}' is shorter ({read.Size} bytes) than what was mirrored of session {source.SessionId} ({cursor} bytes): it was replaced or cut, so nothing is uploaded.");
            if (read.Data.Length == 0 || read.Data.Length < request.MinBytes)
                return new MirrorResult { Harness = source.Harness, SessionId = source.SessionId, SourcePath = source.SourcePath, Cursor = cursor, SourceSize = read.Size };

            var counts = RedactionCounts.Empty;
            byte[] upload = request.Redact ? Redactor.Redact(read.Data, out counts) : read.Data;
            int seq = await NextSeqAsync(source, cancellationToken).ConfigureAwait(false);
            var now = _session.Clock.Now;
            SessionPart part;
            while (true)
            {
                part = new SessionPart
                {
                    Seq = seq,
                    Uuid = Guid.NewGuid().ToString("N").Substring(0, 8),
                    CursorFrom = read.From,
                    CursorTo = read.To,
                    SourceBytes = read.Data.Length,
                    UploadedBytes = upload.Length,
                    Redactions = counts,
                    UploadedAt = now,
                };
                string partKey = _session.Layout.SessionPartKey(source.Harness, source.SessionId, part.Seq, part.Uuid);
                using var content = new MemoryStream(upload, writable: false);
                var written = await _session.Store.UploadAsync(partKey, content, WriteCondition.IfAbsent, cancellationToken: cancellationToken).ConfigureAwait(false);
                // A clash of 32 random bits with a part another machine wrote at this seq: draw again.
                if (written.Written) break;
            }
            WriteCursorFile(stateDirectory, source, read.To, part.Seq, now);
            await AddPartAsync(metaKey, source, part, meta, etag, now, cancellationToken).ConfigureAwait(false);
            return new MirrorResult { Harness = source.Harness, SessionId = source.SessionId, SourcePath = source.SourcePath, Part = part, Cursor = read.To, SourceSize = read.Size };
        }

        /// <summary>Max + 1 of the part numbers listed in the session's folder; 0 for the first.</summary>
        private async Task<int> NextSeqAsync(SessionSource source, CancellationToken cancellationToken)
        {
            var objects = await _session.Store.ListAllAsync(_session.Layout.SessionPrefix(source.Harness, source.SessionId), cancellationToken: cancellationToken).ConfigureAwait(false);
            int max = -1;
            foreach (var o in objects)
                if (ProjectLayout.TryParseSessionPart(o.Key, out int seq, out _) && seq > max) max = seq;
            return max + 1;
        }

        /// <summary>
        /// Records a part in meta.json with a conditional write; when another writer changed it in between, reads it again
        /// and adds the part to what it now says, so that no flush loses another's entry.
        /// </summary>
        private async Task AddPartAsync(string metaKey, SessionSource source, SessionPart part, MirroredSession? meta, string? etag, DateTimeOffset now, CancellationToken cancellationToken)
        {
            for (int attempt = 1; ; attempt++)
            {
                var parts = (meta?.Parts ?? Array.Empty<SessionPart>()).Where(p => p.Seq != part.Seq || p.Uuid != part.Uuid).Append(part).OrderBy(p => p.Seq).ToList();
                var updated = new MirroredSession
                {
                    Harness = source.Harness,
                    SessionId = source.SessionId,
                    SourcePath = source.SourcePath,
                    Cwd = source.Cwd ?? meta?.Cwd,
                    AgentId = _session.AgentId,
                    StartedAt = meta?.StartedAt ?? now,
                    LastUploadedAt = now,
                    EndedAt = meta?.EndedAt,
                    TotalSourceBytes = parts.Sum(p => p.SourceBytes),
                    TotalUploadedBytes = parts.Sum(p => p.UploadedBytes),
                    RedactionCounts = RedactionCounts.Sum(parts.Select(p => (IReadOnlyDictionary<string, long>)p.Redactions)),
                    Parts = parts,
                };
                byte[] body = SessionWire.WriteMeta(updated);
                WireLimits.CheckWritable(body, $"The meta.json of session {source.SessionId}", metaKey);
                var condition = etag is null ? WriteCondition.IfAbsent : WriteCondition.IfMatch(etag);
                var result = await _session.Store.PutAsync(metaKey, body, condition, "application/json", cancellationToken).ConfigureAwait(false);
                if (result.Written) return;
                if (attempt == MetaWriteAttempts)
                    throw new TcException(TcErrorCode.StoreFailed, $"meta.json of session {source.SessionId} kept changing under {MetaWriteAttempts} attempts to record {part.Name}; the part is uploaded, run the mirror again.", metaKey);
                (meta, etag) = await ReadMetaAsync(metaKey, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<(MirroredSession? Meta, string? ETag)> ReadMetaAsync(string metaKey, CancellationToken cancellationToken)
        {
            var read = await _session.Store.GetAsync(metaKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return read.Found ? (SessionWire.ReadMeta(metaKey, read.Body!), read.ETag) : (null, null);
        }

        private static string CursorFile(string? stateDirectory, string sessionId) =>
            Path.Combine(stateDirectory ?? DefaultStateDirectory, IdValidator.Validate(IdKind.SessionId, sessionId) + ".json");

        private void WriteCursorFile(string? stateDirectory, SessionSource source, long cursor, int seq, DateTimeOffset now)
        {
            // Best effort: the store is the truth, the file only mirrors the original's local state.
            LocalFiles.WriteAtomic(CursorFile(stateDirectory, source.SessionId), SessionWire.WriteCursor(source.Harness, source.SessionId, source.SourcePath, cursor, seq, now));
        }

        /// <summary>Mirrored sessions of the project (optionally of one harness), newest upload or largest first.</summary>
        public async Task<IReadOnlyList<MirroredSession>> ListAsync(string? harness = null, SessionSort sortBy = SessionSort.Recent, int limit = 20, CancellationToken cancellationToken = default)
        {
            if (harness is not null) SessionHarness.Validate(harness);
            if (limit < 1) throw new TcException(TcErrorCode.InvalidArgument, $"The limit must be 1 or more, not {limit}.", limit);
            string prefix = harness is null ? _session.Layout.SessionsPrefix : _session.Layout.SessionsPrefix + harness + "/";
            var metaKeys = (await _session.Store.ListAllAsync(prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(o => o.Key).Where(IsMetaKey).ToList();
            var sessions = await _session.ReadEachAsync(metaKeys, async key =>
            {
                var read = await _session.Store.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
                return read.Found ? SessionWire.ReadMeta(key, read.Body!) : null;
            }, key => key, cancellationToken).ConfigureAwait(false);
            IEnumerable<MirroredSession> sorted = sortBy == SessionSort.Size
                ? sessions.OrderByDescending(s => s.TotalUploadedBytes).ThenByDescending(s => s.LastUploadedAt)
                : sessions.OrderByDescending(s => s.LastUploadedAt).ThenByDescending(s => s.TotalUploadedBytes);
            return sorted.Take(limit).ToList();
        }

        /// <summary><c>sessions/&lt;harness&gt;/&lt;id&gt;/meta.json</c> exactly (not a part, not something deeper).</summary>
        private bool IsMetaKey(string key)
        {
            if (!key.EndsWith("/" + ProjectLayout.SessionMetaName, StringComparison.Ordinal)) return false;
            string rest = key.Substring(_session.Layout.SessionsPrefix.Length);
            return rest.Split('/').Length == 3;
        }

        /// <summary>
        /// A mirrored session by id, in whichever harness it is; null when there is none. An id that matches no session
        /// exactly may be the start of one (the list shows ids cut short), when exactly one session starts with it.
        /// With <paramref name="tail"/>, also the last lines of its transcript.
        /// </summary>
        public async Task<MirroredSession?> GetAsync(string sessionId, int? tail = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.SessionId, sessionId);
            if (tail is int n && n < 0) throw new TcException(TcErrorCode.InvalidArgument, $"The number of tail lines must be 0 or more, not {n}.", n);
            var found = await FindAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (found is null || tail is null) return found.HasValue ? found.Value.Meta : null;
            var meta = found.Value.Meta;
            var lines = await TailAsync(meta, tail.Value, cancellationToken).ConfigureAwait(false);
            return new MirroredSession
            {
                Harness = meta.Harness, SessionId = meta.SessionId, SourcePath = meta.SourcePath, Cwd = meta.Cwd, AgentId = meta.AgentId,
                StartedAt = meta.StartedAt, LastUploadedAt = meta.LastUploadedAt, EndedAt = meta.EndedAt,
                TotalSourceBytes = meta.TotalSourceBytes, TotalUploadedBytes = meta.TotalUploadedBytes, RedactionCounts = meta.RedactionCounts,
                Parts = meta.Parts, Key = meta.Key, MetaJson = meta.MetaJson, Tail = lines,
            };
        }

        private async Task<(MirroredSession Meta, string? ETag)?> FindAsync(string sessionId, CancellationToken cancellationToken)
        {
            foreach (var harness in SessionHarness.All)
            {
                var (meta, etag) = await ReadMetaAsync(_session.Layout.SessionMetaKey(harness, sessionId), cancellationToken).ConfigureAwait(false);
                if (meta is not null) return (meta, etag);
            }
            var candidates = new List<string>();
            foreach (var harness in SessionHarness.All)
                candidates.AddRange((await _session.Store.ListAllAsync(_session.Layout.SessionsPrefix + harness + "/" + sessionId, cancellationToken: cancellationToken).ConfigureAwait(false))
                    .Select(o => o.Key).Where(IsMetaKey));
            if (candidates.Count != 1) return null;
            var (only, onlyEtag) = await ReadMetaAsync(candidates[0], cancellationToken).ConfigureAwait(false);
            return only is null ? null : (only, onlyEtag);
        }

        /// <summary>The last lines of the concatenated parts, reading parts from the last one back until there are enough.</summary>
        private async Task<string[]> TailAsync(MirroredSession meta, int count, CancellationToken cancellationToken)
        {
            if (count == 0) return Array.Empty<string>();
            string prefix = _session.Layout.SessionPrefix(meta.Harness, meta.SessionId);
            var partKeys = (await _session.Store.ListAllAsync(prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(o => (o.Key, Seq: ProjectLayout.TryParseSessionPart(o.Key, out int seq, out _) ? seq : -1))
                .Where(p => p.Seq >= 0).OrderBy(p => p.Seq).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();
            var collected = new List<byte[]>();
            int newlines = 0;
            for (int i = partKeys.Count - 1; i >= 0 && newlines <= count; i--)
            {
                using var buffer = new MemoryStream();
                if (await _session.Store.DownloadAsync(partKeys[i], buffer, cancellationToken: cancellationToken).ConfigureAwait(false) is null) continue;
                byte[] bytes = buffer.ToArray();
                collected.Insert(0, bytes);
                newlines += bytes.Count(b => b == (byte)'\n');
            }
            string text = Encoding.UTF8.GetString(collected.SelectMany(b => b).ToArray());
            var lines = text.Split('\n').ToList();
            if (lines.Count > 0 && lines[lines.Count - 1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines.Skip(Math.Max(0, lines.Count - count)).ToArray();
        }

        /// <summary>
        /// Ends the mirroring of a session: deletes the local cursor file and sets ended_at in meta.json if unset. A
        /// session that is not in the store still gets its local file cleared.
        /// </summary>
        public async Task<SessionStopResult> StopAsync(string sessionId, string? stateDirectory = null, CancellationToken cancellationToken = default)
        {
            string file = CursorFile(stateDirectory, sessionId);
            bool cleared = false;
            try
            {
                if (File.Exists(file))
                {
                    File.Delete(file);
                    cleared = true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.InvalidArgument, $"Cannot delete the local cursor file '{file}': {e.Message}", file, e);
            }
            var found = await FindAsync(sessionId, cancellationToken).ConfigureAwait(false);
            bool marked = false;
            for (int attempt = 1; found is not null && found.Value.Meta.EndedAt is null && !marked; attempt++)
            {
                var meta = found.Value.Meta;
                var ended = new MirroredSession
                {
                    Harness = meta.Harness, SessionId = meta.SessionId, SourcePath = meta.SourcePath, Cwd = meta.Cwd, AgentId = meta.AgentId,
                    StartedAt = meta.StartedAt, LastUploadedAt = meta.LastUploadedAt, EndedAt = _session.Clock.Now,
                    TotalSourceBytes = meta.TotalSourceBytes, TotalUploadedBytes = meta.TotalUploadedBytes, RedactionCounts = meta.RedactionCounts,
                    Parts = meta.Parts,
                };
                var condition = found.Value.ETag is string etag ? WriteCondition.IfMatch(etag) : WriteCondition.None;
                var result = await _session.Store.PutAsync(meta.Key, SessionWire.WriteMeta(ended), condition, "application/json", cancellationToken).ConfigureAwait(false);
                marked = result.Written;
                if (!marked)
                {
                    if (attempt == MetaWriteAttempts) throw new TcException(TcErrorCode.StoreFailed, $"meta.json of session {meta.SessionId} kept changing; run stop again.", meta.Key);
                    var (again, etagAgain) = await ReadMetaAsync(meta.Key, cancellationToken).ConfigureAwait(false);
                    found = again is null ? null : (again, etagAgain);
                }
            }
            return new SessionStopResult { SessionId = found?.Meta.SessionId ?? sessionId, Harness = found?.Meta.Harness, StateCleared = cleared, MetaMarkedEnded = marked };
        }
    }

    /// <summary>How <see cref="SessionMirrorService.ListAsync"/> orders sessions.</summary>
    public enum SessionSort { Recent, Size }
}
