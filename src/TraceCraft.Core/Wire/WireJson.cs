using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using TraceCraft.Errors;

namespace TraceCraft.Wire
{
    /// <summary>
    /// Writes bodies the way the original does (two-space indent, no trailing newline) and reads them
    /// defensively: a body that is not JSON, or has a field of the wrong type, is a <see cref="TcErrorCode.CorruptObject"/>
    /// naming its key. No reflection: the same code runs in Windows PowerShell and in the native CLI.
    /// </summary>
    public static class WireJson
    {
        // The default encoder escapes '+' (so "+00:00" would read "\u002B00:00") and other HTML-sensitive characters;
        // bodies are never embedded in HTML, and the relaxed encoder writes times and text as the original does.
        // The writer's own depth check (1000 by default) must not refuse what a read accepted: it gets the read limit.
        private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            MaxDepth = WireLimits.MaxReadDepth,
        };

        private static readonly JsonWriterOptions CompactOptions = new JsonWriterOptions
        {
            Encoder = WriterOptions.Encoder,
            MaxDepth = WireLimits.MaxReadDepth,
        };

        public static byte[] Write(Action<Utf8JsonWriter> writeObject)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writeObject(writer);
                writer.WriteEndObject();
            }
            return buffer.ToArray();
        }

        public static void WriteStringOrNull(this Utf8JsonWriter writer, string name, string? value)
        {
            if (value is null) writer.WriteNull(name);
            else writer.WriteString(name, value);
        }

        public static void WriteTime(this Utf8JsonWriter writer, string name, DateTimeOffset time) =>
            writer.WriteString(name, WireTime.Format(time));

        public static void WriteTimeOrNull(this Utf8JsonWriter writer, string name, DateTimeOffset? time)
        {
            if (time is DateTimeOffset t) writer.WriteTime(name, t);
            else writer.WriteNull(name);
        }

        /// <summary>Writes a raw JSON value (already validated) under a name.</summary>
        public static void WriteRaw(this Utf8JsonWriter writer, string name, string json)
        {
            writer.WritePropertyName(name);
            using var document = JsonDocument.Parse(json, WireLimits.ReadOptions);
            document.RootElement.WriteTo(writer);
        }

        /// <summary>Parses a stored object within <see cref="WireLimits"/>; anything else is a CorruptObject naming the key.</summary>
        public static WireObject Read(string key, byte[] body)
        {
            if (body.Length > WireLimits.MaxObjectBytes)
                throw new TcException(TcErrorCode.CorruptObject, $"The object '{key}' is {WireLimits.Size(body.Length)}; coordination objects are at most {WireLimits.Size(WireLimits.MaxObjectBytes)}.", key);
            try
            {
                var document = JsonDocument.Parse(body, WireLimits.ReadOptions);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    document.Dispose();
                    throw new TcException(TcErrorCode.CorruptObject, $"The object '{key}' is JSON but not an object.", key);
                }
                return new WireObject(key, document);
            }
            catch (JsonException e)
            {
                throw new TcException(TcErrorCode.CorruptObject, $"The object '{key}' is not valid JSON ({e.Message}).", key, e);
            }
        }

        /// <summary>
        /// Checks that text is one JSON value within the write limits (<see cref="WireLimits.MaxValueDepth"/>, and not
        /// alone over <see cref="WireLimits.MaxObjectBytes"/>) and returns it compact. <paramref name="what"/> names the
        /// value in errors ("The value of memory key 'x'").
        /// </summary>
        public static string NormalizeJsonValue(string json, string what = "The value")
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(json);
            WireLimits.CheckValueLength(utf8.Length, what, Excerpt(json));
            int depth;
            try
            {
                depth = DepthOf(utf8);
            }
            catch (JsonException e)
            {
                throw new TcException(TcErrorCode.InvalidArgument, $"{what} is not valid JSON: {e.Message}", Excerpt(json), e);
            }
            WireLimits.CheckValueDepth(depth, what, Excerpt(json));
            using var document = JsonDocument.Parse(utf8, WireLimits.ReadOptions);
            return Compact(document.RootElement);
        }

        /// <summary>Parses a JSON value already checked by <see cref="NormalizeJsonValue"/> or read from the store.</summary>
        public static object? ParsePlain(string json)
        {
            using var document = JsonDocument.Parse(json, WireLimits.ReadOptions);
            return ToPlain(document.RootElement);
        }

        /// <summary>How deep a JSON text nests (a scalar is 0, [] is 1); throws JsonException when it is not one JSON value.</summary>
        private static int DepthOf(byte[] utf8)
        {
            // Counted by the tokenizer without building anything, with no depth limit of its own, so a value nested
            // 100,000 deep gets our clear error instead of the parser's.
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue });
            int max = 0;
            while (reader.Read())
                if ((reader.TokenType == JsonTokenType.StartObject || reader.TokenType == JsonTokenType.StartArray) && reader.CurrentDepth + 1 > max)
                    max = reader.CurrentDepth + 1;
            return max;
        }

        /// <summary>The start of a (possibly huge) text, for an error's target.</summary>
        private static string Excerpt(string text) => text.Length <= 200 ? text : text.Substring(0, 200) + "...";

        /// <summary>A JSON value on one line, without insignificant white space.</summary>
        public static string Compact(JsonElement element)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, CompactOptions))
                element.WriteTo(writer);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>A JSON string literal for a plain string value.</summary>
        public static string Quote(string value)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, CompactOptions))
                writer.WriteStringValue(value);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>A JSON value as plain .NET data: string, long, double, bool, null, ordered dictionaries and arrays.</summary>
        public static object? ToPlain(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String: return element.GetString();
                // Two returns, not a ?: whose long and double arms would unify to double.
                case JsonValueKind.Number:
                    if (element.TryGetInt64(out long whole)) return whole;
                    return element.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Array:
                    var list = new List<object?>();
                    foreach (var item in element.EnumerateArray()) list.Add(ToPlain(item));
                    return list.ToArray();
                case JsonValueKind.Object:
                    var map = new Dictionary<string, object?>();
                    foreach (var property in element.EnumerateObject()) map[property.Name] = ToPlain(property.Value);
                    return map;
                default: return null;
            }
        }
    }

    /// <summary>A parsed wire object with typed, checked field access.</summary>
    public sealed class WireObject : IDisposable
    {
        private readonly JsonDocument _document;

        internal WireObject(string key, JsonDocument document)
        {
            Key = key;
            _document = document;
        }

        public string Key { get; }
        public JsonElement Root => _document.RootElement;

        public bool Has(string name) => Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

        public string? OptionalString(string name)
        {
            if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.String) throw WrongType(name, "a string");
            return value.GetString();
        }

        public string RequiredString(string name) =>
            OptionalString(name) ?? throw new TcException(TcErrorCode.CorruptObject, $"The object '{Key}' lacks the field '{name}'.", Key);

        public DateTimeOffset? OptionalTime(string name)
        {
            string? text = OptionalString(name);
            if (text is null) return null;
            if (!WireTime.TryParse(text, out var time)) throw WrongType(name, "an ISO 8601 time");
            return time;
        }

        public DateTimeOffset RequiredTime(string name) =>
            OptionalTime(name) ?? throw new TcException(TcErrorCode.CorruptObject, $"The object '{Key}' lacks the time '{name}'.", Key);

        public long? OptionalLong(string name)
        {
            if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number)) throw WrongType(name, "a whole number");
            return number;
        }

        public double? OptionalDouble(string name)
        {
            if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.Number) throw WrongType(name, "a number");
            return value.GetDouble();
        }

        public string[] OptionalStringArray(string name)
        {
            if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return Array.Empty<string>();
            if (value.ValueKind != JsonValueKind.Array) throw WrongType(name, "an array of strings");
            var items = new List<string>();
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) throw WrongType(name, "an array of strings");
                items.Add(item.GetString()!);
            }
            return items.ToArray();
        }


        private TcException WrongType(string name, string expected) =>
            new TcException(TcErrorCode.CorruptObject, $"The field '{name}' of '{Key}' is not {expected}.", Key);

        public void Dispose() => _document.Dispose();
    }
}
