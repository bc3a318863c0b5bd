using System.IO;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Storage;

namespace TraceCraft.Protocol
{
    /// <summary>What init is given (the original's flags, plus backend/path/region for ours).</summary>
    public sealed class InitRequest
    {
        public string Project { get; init; } = "";
        public string Agent { get; init; } = "";
        public string Backend { get; init; } = Backends.S3;
        public string? Endpoint { get; init; }
        public string? Bucket { get; init; }
        /// <summary>Keys given explicitly; they are written to the config (mode 600).</summary>
        public string? AccessKey { get; init; }
        public string? SecretKey { get; init; }
        /// <summary>
        /// Without explicit keys, write AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY into the config too, as the original
        /// does, so that later commands work in a shell without them (default). False (--no-save-keys, -NoSaveKeys)
        /// leaves them in the environment, for those who keep keys there or in an AWS profile.
        /// </summary>
        public bool SaveEnvironmentKeys { get; init; } = true;
        public string? Region { get; init; }
        /// <summary>Folder of the folder store; default <c>.tracecraft-store</c> in the working folder.</summary>
        public string? Path { get; init; }
        public bool QuoteIfMatch { get; init; }
    }

    /// <summary>init: write the config, create the bucket if missing, register the agent.</summary>
    public static class ProjectSetup
    {
        public const string DefaultFolderStore = ".tracecraft-store";

        public static async Task<ProjectContext> InitializeAsync(InitRequest request, ConfigLoader loader, TcSessionOptions? options = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Project, request.Project);
            IdValidator.Validate(IdKind.Agent, request.Agent);
            if (request.Backend == Backends.S3 && TcConfig.EndpointProblem(request.Endpoint) is string problem)
                throw new TcException(TcErrorCode.InvalidArgument, $"The endpoint {problem}.", request.Endpoint);
            if ((request.AccessKey is null) != (request.SecretKey is null))
                throw new TcException(TcErrorCode.InvalidArgument, "Give both --access-key and --secret-key, or neither (then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS profile are used).");
            var (accessKey, secretKey) = KeysToWrite(request, loader);
            string? path = request.Backend == Backends.Folder
                ? Path.GetFullPath(Path.Combine(loader.WorkingDirectory, request.Path ?? DefaultFolderStore))
                : null;
            var config = new TcConfig
            {
                Backend = request.Backend,
                Endpoint = request.Endpoint,
                Bucket = request.Bucket ?? (request.Backend == Backends.S3 ? "tracecraft" : null),
                Project = request.Project,
                // The explicit agent is what the file records; TRACECRAFT_AGENT overrides it later, when the config is read.
                AgentId = request.Agent,
                AccessKey = accessKey,
                SecretKey = secretKey,
                Region = request.Region,
                Path = path,
                QuoteIfMatch = request.QuoteIfMatch,
            };
            config.Check();

            using var session = new TcSession(config, options);
            if (UnwrapS3(session.Store) is S3ObjectStore s3)
                await s3.EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
            await session.Agents.RegisterAsync("Initialized", cancellationToken).ConfigureAwait(false);
            string file = loader.Save(config);
            return new ProjectContext
            {
                Project = config.Project,
                Agent = config.AgentId,
                Backend = config.Backend,
                Location = session.Store.Location,
                ConfigPath = file,
            };
        }

        /// <summary>
        /// The keys the config records: the explicit ones, else (unless opted out) the environment's pair. Temporary
        /// keys (with AWS_SESSION_TOKEN) are not written: the config has no place for the token and they expire.
        /// </summary>
        private static (string? AccessKey, string? SecretKey) KeysToWrite(InitRequest request, ConfigLoader loader)
        {
            if (request.AccessKey is not null || request.Backend != Backends.S3 || !request.SaveEnvironmentKeys)
                return (request.AccessKey, request.SecretKey);
            string? accessKey = loader.Env("AWS_ACCESS_KEY_ID"), secretKey = loader.Env("AWS_SECRET_ACCESS_KEY");
            if (accessKey is null || secretKey is null || loader.Env("AWS_SESSION_TOKEN") is not null) return (null, null);
            return (accessKey, secretKey);
        }

        private static IObjectStore UnwrapS3(IObjectStore store) => store switch
        {
            InstrumentedStore i => UnwrapS3(i.Inner),
            RetryingStore r => UnwrapS3(r.Inner),
            _ => store,
        };
    }
}
