using System;
using System.Collections.Generic;
using System.Text.Json;
using TraceCraft.Protocol;

namespace TraceCraft.Wire
{
    /// <summary>
    /// The local copy of an <see cref="ObjectMirror"/> (<c>&lt;cache&gt;/mirror/&lt;hash&gt;/&lt;name&gt;.json</c>, never in the
    /// bucket): the prefix it mirrors and, per object, what the listing said of it, its ETag, modification time, when it was read, and its body
    /// (base64: bodies are bytes, and a corrupt one must survive the trip). Read strictly: any surprise throws, and the mirror
    /// is rebuilt from the store. A copy of another prefix (the same file name reused) is ignored.
    /// </summary>
    internal static class ObjectMirrorWire
    {
        public static byte[] Write(string prefix, IReadOnlyDictionary<string, MirrorEntry> entries) => WireJson.Write(w =>
        {
            w.WriteString("prefix", prefix);
            w.WriteStartArray("objects");
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("key", e.Key);
                w.WriteString("token", e.Value.Token);
                w.WriteStringOrNull("etag", e.Value.ETag);
                w.WriteNumber("modified_ticks", e.Value.LastModified.UtcTicks);
                w.WriteNumber("read_ticks", e.Value.ReadAt.UtcTicks);
                w.WriteBase64String("body", e.Value.Body);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

        public static Dictionary<string, MirrorEntry> Read(byte[] body, string prefix)
        {
            var entries = new Dictionary<string, MirrorEntry>(StringComparer.Ordinal);
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.GetProperty("prefix").GetString() != prefix) return entries;
            foreach (var o in root.GetProperty("objects").EnumerateArray())
            {
                string key = o.GetProperty("key").GetString() ?? throw new InvalidOperationException("An object without a key.");
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidOperationException($"'{key}' is not under '{prefix}'.");
                var etag = o.GetProperty("etag");
                entries[key] = new MirrorEntry(
                    o.GetProperty("token").GetString() ?? throw new InvalidOperationException("An object without a token."),
                    etag.ValueKind == JsonValueKind.String ? etag.GetString() : null,
                    o.GetProperty("body").GetBytesFromBase64(),
                    new DateTimeOffset(o.GetProperty("modified_ticks").GetInt64(), TimeSpan.Zero),
                    new DateTimeOffset(o.GetProperty("read_ticks").GetInt64(), TimeSpan.Zero));
            }
            return entries;
        }
    }
}
