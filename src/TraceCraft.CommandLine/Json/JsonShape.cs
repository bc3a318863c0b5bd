using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using TraceCraft.Wire;

namespace TraceCraft.CommandLine.Json
{
    /// <summary>
    /// What docs/json-output.md says of one JSON object that <c>tracecraft --json</c> prints: its name, its fields in
    /// order with their JSON types, and the engine type it shows. The tests compare these with the document and with
    /// the output of every verb, so the three cannot drift apart.
    /// </summary>
    public interface IJsonShape
    {
        /// <summary>The heading of the shape in docs/json-output.md (a model type's name, or the name of a verb's result).</summary>
        string Name { get; }

        /// <summary>Each field: its camelCase name and its type as the document writes it ("string or null", "array of Step").</summary>
        IReadOnlyList<(string Name, string Type)> Fields { get; }

        /// <summary>The engine type whose public properties the fields are (the objects the cmdlets emit); null for a verb's own result.</summary>
        Type? Model { get; }

        /// <summary>Properties of <see cref="Model"/> that are deliberately not written (computed from the written ones).</summary>
        IReadOnlyList<string> Omitted { get; }
    }

    /// <summary>A JSON object shape for values of <typeparamref name="T"/>: writes exactly its declared fields, in order.</summary>
    internal sealed class JsonShape<T> : IJsonShape
    {
        private readonly JsonField<T>[] _fields;

        public JsonShape(string name, Type? model, string[] omitted, params JsonField<T>[] fields)
        {
            Name = name;
            Model = model;
            Omitted = omitted;
            _fields = fields;
        }

        public string Name { get; }
        public Type? Model { get; }
        public IReadOnlyList<string> Omitted { get; }
        public IReadOnlyList<(string Name, string Type)> Fields => _fields.Select(f => (f.Name, f.Type)).ToList();

        public void Write(Utf8JsonWriter writer, T value)
        {
            writer.WriteStartObject();
            foreach (var field in _fields)
            {
                writer.WritePropertyName(field.Name);
                field.Write(writer, value);
            }
            writer.WriteEndObject();
        }
    }

    /// <summary>One field: its name, its JSON type as documented, and how to write its value.</summary>
    internal sealed class JsonField<T>
    {
        public JsonField(string name, string type, Action<Utf8JsonWriter, T> write)
        {
            Name = name;
            Type = type;
            Write = write;
        }

        public string Name { get; }
        public string Type { get; }
        public Action<Utf8JsonWriter, T> Write { get; }
    }

    /// <summary>
    /// The field kinds of the shapes, one per JSON type, so that a field's documented type always says how it is
    /// written. Times are ISO 8601 in UTC as the bucket holds them (2026-03-24T14:00:00.123456+00:00).
    /// </summary>
    internal static class Field<T>
    {
        public static JsonField<T> Text(string name, Func<T, string> get) =>
            new JsonField<T>(name, "string", (w, v) => w.WriteStringValue(get(v)));

        public static JsonField<T> TextOrNull(string name, Func<T, string?> get) =>
            new JsonField<T>(name, "string or null", (w, v) => WriteTextOrNull(w, get(v)));

        public static JsonField<T> Time(string name, Func<T, DateTimeOffset> get) =>
            new JsonField<T>(name, "time", (w, v) => w.WriteStringValue(WireTime.Format(get(v))));

        public static JsonField<T> TimeOrNull(string name, Func<T, DateTimeOffset?> get) =>
            new JsonField<T>(name, "time or null", (w, v) => WriteTextOrNull(w, get(v) is DateTimeOffset t ? WireTime.Format(t) : null));

        public static JsonField<T> Integer(string name, Func<T, long> get) =>
            new JsonField<T>(name, "integer", (w, v) => w.WriteNumberValue(get(v)));

        public static JsonField<T> IntegerOrNull(string name, Func<T, long?> get) =>
            new JsonField<T>(name, "integer or null", (w, v) =>
            {
                if (get(v) is long n) w.WriteNumberValue(n);
                else w.WriteNullValue();
            });

        public static JsonField<T> NumberOrNull(string name, Func<T, double?> get) =>
            new JsonField<T>(name, "number or null", (w, v) =>
            {
                if (get(v) is double n) w.WriteNumberValue(n);
                else w.WriteNullValue();
            });

        public static JsonField<T> Boolean(string name, Func<T, bool> get) =>
            new JsonField<T>(name, "boolean", (w, v) => w.WriteBooleanValue(get(v)));

        public static JsonField<T> Texts(string name, Func<T, IEnumerable<string>> get) =>
            new JsonField<T>(name, "array of string", (w, v) => WriteTexts(w, get(v)));

        public static JsonField<T> TextsOrNull(string name, Func<T, IEnumerable<string>?> get) =>
            new JsonField<T>(name, "array of string or null", (w, v) =>
            {
                if (get(v) is IEnumerable<string> texts) WriteTexts(w, texts);
                else w.WriteNullValue();
            });

        /// <summary>A value that is JSON text already (a memory value): written as that JSON, not as a string.</summary>
        public static JsonField<T> AnyJson(string name, Func<T, string> getJson) =>
            new JsonField<T>(name, "any JSON", (w, v) => w.WriteRawValue(getJson(v)));

        public static JsonField<T> Object<TValue>(string name, JsonShape<TValue> shape, Func<T, TValue> get) =>
            new JsonField<T>(name, shape.Name, (w, v) => shape.Write(w, get(v)));

        public static JsonField<T> ObjectOrNull<TValue>(string name, JsonShape<TValue> shape, Func<T, TValue?> get) where TValue : class =>
            new JsonField<T>(name, shape.Name + " or null", (w, v) =>
            {
                if (get(v) is TValue value) shape.Write(w, value);
                else w.WriteNullValue();
            });

        public static JsonField<T> Array<TValue>(string name, JsonShape<TValue> shape, Func<T, IEnumerable<TValue>> get) =>
            new JsonField<T>(name, "array of " + shape.Name, (w, v) =>
            {
                w.WriteStartArray();
                foreach (var item in get(v)) shape.Write(w, item);
                w.WriteEndArray();
            });

        private static void WriteTextOrNull(Utf8JsonWriter writer, string? text)
        {
            if (text is null) writer.WriteNullValue();
            else writer.WriteStringValue(text);
        }

        private static void WriteTexts(Utf8JsonWriter writer, IEnumerable<string> texts)
        {
            writer.WriteStartArray();
            foreach (var text in texts) writer.WriteStringValue(text);
            writer.WriteEndArray();
        }
    }
}
