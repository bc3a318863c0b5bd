using System.Text.Json;
using TraceCraft.Config;
using TraceCraft.Errors;

namespace TraceCraft.Wire
{
    /// <summary>
    /// The config file (<c>.tracecraft.json</c>, <c>~/.tracecraft/config.json</c>): the original's keys (backend, endpoint,
    /// bucket, project, agent_id, access_key, secret_key) plus ours (path, region, quote_if_match, timeout_seconds); see
    /// docs/wire-format.md. A key that is not set is not written. Errors are <see cref="TcErrorCode.ConfigInvalid"/>: the
    /// file is the user's, so they say how to fix it.
    /// </summary>
    internal static class ConfigWire
    {
        public static byte[] Write(TcConfig config) => WireJson.Write(w =>
        {
            w.WriteString("backend", config.Backend);
            if (config.Endpoint is not null) w.WriteString("endpoint", config.Endpoint);
            if (config.Bucket is not null) w.WriteString("bucket", config.Bucket);
            if (config.Path is not null) w.WriteString("path", config.Path);
            w.WriteString("project", config.Project);
            w.WriteString("agent_id", config.AgentId);
            if (config.AccessKey is not null) w.WriteString("access_key", config.AccessKey);
            if (config.SecretKey is not null) w.WriteString("secret_key", config.SecretKey);
            if (config.Region is not null) w.WriteString("region", config.Region);
            if (config.QuoteIfMatch) w.WriteBoolean("quote_if_match", true);
            if (config.TimeoutSeconds is double t) w.WriteNumber("timeout_seconds", t);
        });

        /// <summary>Reads the fields; whether the backend has what it needs is <see cref="TcConfig.Check"/>'s question.</summary>
        public static TcConfig Read(string source, byte[] json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw TcConfig.Invalid(source, "it is not a JSON object");
                string? Text(string name)
                {
                    if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
                    if (v.ValueKind != JsonValueKind.String) throw TcConfig.Invalid(source, $"'{name}' is not a string");
                    return v.GetString();
                }
                bool quote = root.TryGetProperty("quote_if_match", out var q) && q.ValueKind == JsonValueKind.True;
                double? timeout = root.TryGetProperty("timeout_seconds", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null;
                return new TcConfig
                {
                    Backend = Text("backend") ?? Backends.S3,
                    Endpoint = Text("endpoint"),
                    Bucket = Text("bucket"),
                    Project = Text("project") ?? throw TcConfig.Invalid(source, "'project' is missing"),
                    AgentId = Text("agent_id") ?? throw TcConfig.Invalid(source, "'agent_id' is missing"),
                    AccessKey = Text("access_key"),
                    SecretKey = Text("secret_key"),
                    Region = Text("region"),
                    Path = Text("path"),
                    QuoteIfMatch = quote,
                    TimeoutSeconds = timeout,
                    Source = source,
                };
            }
            catch (JsonException e)
            {
                throw new TcException(TcErrorCode.ConfigInvalid, $"The config file '{source}' is not valid JSON ({e.Message}): fix it or run init again.", source, e);
            }
        }
    }
}
