using System;
using TraceCraft.Errors;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft.Config
{
    public static class Backends
    {
        public const string S3 = "s3";
        public const string Folder = "folder";
        public const string HuggingFace = "hf";
    }

    /// <summary>
    /// The contents of <c>.tracecraft.json</c>, field for field the original's (backend, endpoint, bucket,
    /// project, agent_id, access_key, secret_key) plus ours (region, path, quote_if_match, timeouts).
    /// <see cref="ToString"/> never shows the secret key.
    /// </summary>
    public sealed class TcConfig
    {
        public string Backend { get; init; } = Backends.S3;
        public string? Endpoint { get; init; }
        public string? Bucket { get; init; }
        public string Project { get; init; } = "";
        public string AgentId { get; init; } = "";
        public string? AccessKey { get; init; }
        public string? SecretKey { get; init; }
        public string? Region { get; init; }
        /// <summary>The folder of the folder store (backend "folder").</summary>
        public string? Path { get; init; }
        public bool QuoteIfMatch { get; init; }
        public double? TimeoutSeconds { get; init; }
        /// <summary>Where the config was read from, if anywhere.</summary>
        public string? Source { get; init; }

        public TcConfig With(string? agentId = null, string? project = null, string? path = null) => new TcConfig
        {
            Backend = Backend, Endpoint = Endpoint, Bucket = Bucket, Project = project ?? Project, AgentId = agentId ?? AgentId,
            AccessKey = AccessKey, SecretKey = SecretKey, Region = Region, Path = path ?? Path, QuoteIfMatch = QuoteIfMatch,
            TimeoutSeconds = TimeoutSeconds, Source = Source,
        };

        /// <summary>
        /// The options of the S3 store. When the config holds no keys, this first asks the AWS SDK's own chain
        /// (environment, profile files, instance metadata) whether it has any, so that a missing key is one clear
        /// error (<see cref="TcErrorCode.CredentialsNotFound"/>) now rather than the SDK's dump at the first request.
        /// </summary>
        public S3StoreOptions ToS3Options()
        {
            if (string.IsNullOrEmpty(AccessKey) || string.IsNullOrEmpty(SecretKey)) S3Credentials.EnsureAvailable();
            // Long enough to ride out a server restart, short enough that a wrong endpoint fails within seconds.
            var timeout = TimeoutSeconds is double s && s > 0 ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(8);
            return new S3StoreOptions
            {
                Endpoint = Endpoint,
                Bucket = Bucket ?? "",
                Region = string.IsNullOrEmpty(Region) ? "us-east-1" : Region!,
                AccessKey = AccessKey,
                SecretKey = SecretKey,
                QuoteIfMatch = QuoteIfMatch,
                OperationTimeout = timeout,
                RequestTimeout = timeout < TimeSpan.FromSeconds(10) ? timeout : TimeSpan.FromSeconds(10),
            };
        }

        /// <summary>The config file's bytes (<see cref="ConfigWire"/>).</summary>
        public byte[] ToJson() => ConfigWire.Write(this);

        /// <summary>Reads a config file (<see cref="ConfigWire"/>) and checks it; <paramref name="source"/> names it in errors.</summary>
        public static TcConfig Parse(string source, byte[] json)
        {
            var config = ConfigWire.Read(source, json);
            config.Check();
            return config;
        }

        /// <summary>The longest request timeout a config may ask for: an hour (a TimeSpan overflows near 1e13 s).</summary>
        public const double MaxTimeoutSeconds = 3600;

        /// <summary>Checks that the backend has what it needs.</summary>
        public void Check()
        {
            string where = Source ?? "the configuration";
            if (TimeoutSeconds is double t && !(t >= 0 && t <= MaxTimeoutSeconds))
                throw Invalid(where, $"'timeout_seconds' must be between 0 (the default) and {MaxTimeoutSeconds}");
            switch (Backend)
            {
                case Backends.S3:
                    if (string.IsNullOrEmpty(Bucket)) throw Invalid(where, "'bucket' is missing");
                    if (EndpointProblem(Endpoint) is string problem) throw Invalid(where, "'endpoint' " + problem);
                    break;
                case Backends.Folder:
                    if (string.IsNullOrEmpty(Path)) throw Invalid(where, "'path' is missing for the folder backend");
                    break;
                case Backends.HuggingFace:
                    throw new TcException(TcErrorCode.ConfigInvalid, $"{where} uses the HuggingFace backend, which has no conditional writes (claims there cannot be atomic); TraceCraft for PowerShell supports 's3' and 'folder'.", where);
                default:
                    throw Invalid(where, $"the backend '{Backend}' is unknown (use 's3' or 'folder')");
            }
        }

        /// <summary>
        /// Why an S3 endpoint cannot be used, or null when it can (or is absent: then AWS). It must be an absolute
        /// http or https URL; the SDK would otherwise fail deep inside with its own exception.
        /// </summary>
        public static string? EndpointProblem(string? endpoint)
        {
            if (string.IsNullOrEmpty(endpoint)) return null;
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
                return null;
            return endpoint!.Contains("://")
                ? $"'{endpoint}' is not a valid http:// or https:// URL"
                : $"'{endpoint}' has no scheme: write it as a URL, e.g. http://{endpoint}";
        }

        internal static TcException Invalid(string source, string what) =>
            new TcException(TcErrorCode.ConfigInvalid, $"The config '{source}' is not usable: {what}. Run init again or fix the file.", source);

        public override string ToString() =>
            $"backend={Backend} endpoint={Endpoint ?? "-"} bucket={Bucket ?? "-"} path={Path ?? "-"} project={Project} agent={AgentId} secret={(SecretKey is null ? "(none)" : "(hidden)")}";
    }
}
