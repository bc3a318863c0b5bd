using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using TraceCraft.Errors;
using TraceCraft.Sessions;

namespace TraceCraft.Wire
{
    /// <summary>
    /// <c>sessions/&lt;harness&gt;/&lt;id&gt;/meta.json</c> as the original 0.2.2 writes it: schema_version 1, the session's source,
    /// cumulative totals and redaction counts, and one entry per part (seq, uuid, cursor_range [from, to], sizes,
    /// redactions, uploaded_at); 2-space indent, times with microseconds and +00:00. Also the local cursor file
    /// <c>mirror-state/&lt;id&gt;.json</c>.
    /// </summary>
    internal static class SessionWire
    {
        public const int SchemaVersion = 1;

        public static byte[] WriteMeta(MirroredSession s) => WireJson.Write(w =>
        {
            w.WriteNumber("schema_version", SchemaVersion);
            w.WriteString("harness", s.Harness);
            w.WriteString("session_id", s.SessionId);
            w.WriteStringOrNull("source_path", s.SourcePath);
            w.WriteStringOrNull("cwd", s.Cwd);
            w.WriteStringOrNull("agent_id", s.AgentId);
            w.WriteTimeOrNull("started_at", s.StartedAt);
            w.WriteTimeOrNull("last_uploaded_at", s.LastUploadedAt);
            w.WriteTimeOrNull("ended_at", s.EndedAt);
            w.WriteNumber("total_source_bytes", s.TotalSourceBytes);
            w.WriteNumber("total_uploaded_bytes", s.TotalUploadedBytes);
            WriteCounts(w, "redaction_counts", s.RedactionCounts);
            w.WriteStartArray("parts");
            foreach (var p in s.Parts)
            {
                w.WriteStartObject();
                w.WriteNumber("seq", p.Seq);
                w.WriteString("uuid", p.Uuid);
                w.WriteStartArray("cursor_range");
                w.WriteNumberValue(p.CursorFrom);
                w.WriteNumberValue(p.CursorTo);
                w.WriteEndArray();
                w.WriteNumber("source_bytes", p.SourceBytes);
                w.WriteNumber("uploaded_bytes", p.UploadedBytes);
                WriteCounts(w, "redactions", p.Redactions);
                w.WriteTime("uploaded_at", p.UploadedAt);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

        private static void WriteCounts(Utf8JsonWriter w, string name, RedactionCounts counts)
        {
            w.WriteStartObject(name);
            foreach (var pair in counts) w.WriteNumber(pair.Key, pair.Value);
            w.WriteEndObject();
        }

        public static MirroredSession ReadMeta(string key, byte[] body)
        {
            using var wire = WireJson.Read(key, body);
            var parts = new List<SessionPart>();
            if (wire.Root.TryGetProperty("parts", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var item in list.EnumerateArray()) parts.Add(ReadPart(key, item));
            else if (wire.Has("parts"))
                throw Corrupt(key, "'parts' is not a list");
            return new MirroredSession
            {
                Harness = wire.RequiredString("harness"),
                SessionId = wire.RequiredString("session_id"),
                SourcePath = wire.OptionalString("source_path"),
                Cwd = wire.OptionalString("cwd"),
                AgentId = wire.OptionalString("agent_id"),
                StartedAt = wire.OptionalTime("started_at"),
                LastUploadedAt = wire.OptionalTime("last_uploaded_at"),
                EndedAt = wire.OptionalTime("ended_at"),
                TotalSourceBytes = wire.OptionalLong("total_source_bytes") ?? 0,
                TotalUploadedBytes = wire.OptionalLong("total_uploaded_bytes") ?? 0,
                RedactionCounts = ReadCounts(key, wire.Root, "redaction_counts"),
                Parts = parts,
                Key = key,
                MetaJson = Encoding.UTF8.GetString(body),
            };
        }

        private static SessionPart ReadPart(string key, JsonElement item)
        {
            if (item.ValueKind != JsonValueKind.Object) throw Corrupt(key, "a part is not an object");
            long from = 0, to = 0;
            if (item.TryGetProperty("cursor_range", out var range))
            {
                if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2
                    || !range[0].TryGetInt64(out from) || !range[1].TryGetInt64(out to))
                    throw Corrupt(key, "a part's cursor_range is not [from, to]");
            }
            return new SessionPart
            {
                Seq = (int)Long(key, item, "seq"),
                Uuid = item.TryGetProperty("uuid", out var uuid) && uuid.ValueKind == JsonValueKind.String ? uuid.GetString()! : "",
                CursorFrom = from,
                CursorTo = to,
                SourceBytes = Long(key, item, "source_bytes"),
                UploadedBytes = Long(key, item, "uploaded_bytes"),
                Redactions = ReadCounts(key, item, "redactions"),
                UploadedAt = item.TryGetProperty("uploaded_at", out var at) && at.ValueKind == JsonValueKind.String && WireTime.TryParse(at.GetString(), out var time) ? time : default,
            };
        }

        private static long Long(string key, JsonElement item, string name)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return 0;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long n)) throw Corrupt(key, $"a part's '{name}' is not a whole number");
            return n;
        }

        private static RedactionCounts ReadCounts(string key, JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var counts) || counts.ValueKind == JsonValueKind.Null) return RedactionCounts.Empty;
            if (counts.ValueKind != JsonValueKind.Object) throw Corrupt(key, $"'{name}' is not an object");
            var items = new List<KeyValuePair<string, long>>();
            foreach (var p in counts.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out long n)) throw Corrupt(key, $"'{name}.{p.Name}' is not a whole number");
                items.Add(new KeyValuePair<string, long>(p.Name, n));
            }
            return new RedactionCounts(items);
        }

        private static TcException Corrupt(string key, string what) =>
            new TcException(TcErrorCode.CorruptObject, $"The session object '{key}' is not as expected: {what}.", key);

        /// <summary>The local cursor file: <c>{harness, session_id, source_path, cursor, last_uploaded_seq, last_flush_at}</c>.</summary>
        public static byte[] WriteCursor(string harness, string sessionId, string sourcePath, long cursor, int lastUploadedSeq, DateTimeOffset lastFlushAt) => WireJson.Write(w =>
        {
            w.WriteString("harness", harness);
            w.WriteString("session_id", sessionId);
            w.WriteString("source_path", sourcePath);
            w.WriteNumber("cursor", cursor);
            w.WriteNumber("last_uploaded_seq", lastUploadedSeq);
            w.WriteTime("last_flush_at", lastFlushAt);
        });
    }
}
