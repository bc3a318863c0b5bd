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
        /// <summary>Explicit keys are written to the config (mode 600); keys from the environment are not.</summary>
        public string? AccessKey { get; init; }
        public string? SecretKey { get; init; }
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
                AccessKey = request.AccessKey,
                SecretKey = request.SecretKey,
                Region = request.Region,
                Path = path,
                QuoteIfMatch = request.QuoteIfMatch,
            };
            config.Check();
            if ((config.AccessKey is null) != (config.SecretKey is null))
                throw new TcException(TcErrorCode.InvalidArgument, "Give both --access-key and --secret-key, or neither (then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS profile are used).");

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

        private static IObjectStore UnwrapS3(IObjectStore store) => store switch
        {
            InstrumentedStore i => UnwrapS3(i.Inner),
            RetryingStore r => UnwrapS3(r.Inner),
            _ => store,
        };
    }
}
