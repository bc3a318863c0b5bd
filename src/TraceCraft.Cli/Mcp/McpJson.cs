using System.Text.Encodings.Web;
using System.Text.Json;

namespace TraceCraft.Cli.Native.Mcp
{
    /// <summary>How the server writes the JSON it makes itself (schemas, errors).</summary>
    internal static class McpJson
    {
        /// <summary>
        /// Text as it is (an apostrophe stays ', not \u0027): the JSON goes to an MCP client, never into HTML, and an
        /// agent reads the error messages.
        /// </summary>
        public static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }
}
