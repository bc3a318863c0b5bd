using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TraceCraft.CommandLine.Json
{
    /// <summary>
    /// Renders a shape as one line of compact JSON. Utf8JsonWriter and the hand-written shapes use no reflection, so the
    /// native (AOT, trimmed) executable prints exactly what the module does.
    /// </summary>
    internal static class JsonText
    {
        // Relaxed escaping: text stays readable (an apostrophe in a note is ', not \u0027; non-ASCII is UTF-8, as the
        // text lines are). It is the default encoder's HTML-safety that it gives up, which a terminal does not need;
        // control characters and line breaks are still escaped, so a document is always one line.
        private static readonly JsonWriterOptions Options = new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
        };

        public static string Of<T>(JsonShape<T> shape, T value)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, Options))
                shape.Write(writer, value);
            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }
}
