using System;
using TraceCraft.Errors;

namespace TraceCraft.Wire
{
    /// <summary>
    /// <c>memory/&lt;key path&gt;.json</c> = the original's <c>{"value", "set_by", "set_at"}</c> (see docs/wire-format.md). The
    /// original writes only strings; we write any JSON value, and a string stays a plain JSON string so that it reads it.
    /// </summary>
    internal static class MemoryWire
    {
        /// <summary>A caller's value checked against the write limits and made compact; <paramref name="what"/> names it in errors.</summary>
        public static string CheckValue(string valueJson, string what) => WireJson.NormalizeJsonValue(valueJson, what);

        /// <summary>A plain string as the JSON value the original writes for it.</summary>
        public static string StringValue(string text) => WireJson.Quote(text);

        /// <summary>A value checked by <see cref="CheckValue"/> as plain .NET data (see <see cref="MemoryEntry.Value"/>).</summary>
        public static object? PlainValue(string valueJson) => WireJson.ParsePlain(valueJson);

        /// <summary>Serializes an entry; <paramref name="valueJson"/> has been through <see cref="CheckValue"/>.</summary>
        public static byte[] Write(string valueJson, string setBy, DateTimeOffset setAt) => WireJson.Write(w =>
        {
            w.WriteRaw("value", valueJson);
            w.WriteString("set_by", setBy);
            w.WriteTime("set_at", setAt);
        });

        public static MemoryEntry Read(string key, string objectKey, byte[] body, string? etag)
        {
            using var wire = WireJson.Read(objectKey, body);
            if (!wire.Root.TryGetProperty("value", out var value))
                throw new TcException(TcErrorCode.CorruptObject, $"The memory object '{objectKey}' has no 'value'.", objectKey);
            return new MemoryEntry
            {
                Key = key,
                Value = WireJson.ToPlain(value),
                ValueJson = WireJson.Compact(value),
                SetBy = wire.OptionalString("set_by"),
                SetAt = wire.OptionalTime("set_at"),
                Version = etag,
            };
        }
    }
}
