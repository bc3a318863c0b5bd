using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>PowerShell values to JSON text: strings stay strings; hashtables, arrays and objects become JSON.</summary>
    internal static class JsonValue
    {
        private const int MaxDepth = 16;

        public static string From(object? value)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
                Write(writer, value, 0);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void Write(Utf8JsonWriter writer, object? value, int depth)
        {
            if (depth > MaxDepth) { writer.WriteStringValue(value?.ToString()); return; }
            if (value is PSObject ps && ps.BaseObject is not PSCustomObject) value = ps.BaseObject;
            switch (value)
            {
                case null: writer.WriteNullValue(); break;
                case string s: writer.WriteStringValue(s); break;
                case char c: writer.WriteStringValue(c.ToString()); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case int or long or short or byte or sbyte or ushort or uint:
                    writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                case ulong ul: writer.WriteNumberValue(ul); break;
                case float or double or decimal:
                    writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
                case DateTime dt: writer.WriteStringValue(dt.ToString("o", CultureInfo.InvariantCulture)); break;
                case DateTimeOffset dto: writer.WriteStringValue(dto.ToString("o", CultureInfo.InvariantCulture)); break;
                case Enum e: writer.WriteStringValue(e.ToString()); break;
                case IDictionary map:
                    writer.WriteStartObject();
                    foreach (DictionaryEntry entry in map)
                    {
                        writer.WritePropertyName(entry.Key?.ToString() ?? "");
                        Write(writer, entry.Value, depth + 1);
                    }
                    writer.WriteEndObject();
                    break;
                case IEnumerable items:
                    writer.WriteStartArray();
                    foreach (var item in items) Write(writer, item, depth + 1);
                    writer.WriteEndArray();
                    break;
                case PSObject custom:
                    writer.WriteStartObject();
                    foreach (var property in custom.Properties)
                    {
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value, depth + 1);
                    }
                    writer.WriteEndObject();
                    break;
                default:
                    var wrapped = PSObject.AsPSObject(value);
                    writer.WriteStartObject();
                    foreach (var property in wrapped.Properties)
                    {
                        if (!property.IsGettable) continue;
                        object? v;
                        try { v = property.Value; } catch (GetValueException) { continue; }
                        writer.WritePropertyName(property.Name);
                        Write(writer, v, depth + 1);
                    }
                    writer.WriteEndObject();
                    break;
            }
        }
    }
}
