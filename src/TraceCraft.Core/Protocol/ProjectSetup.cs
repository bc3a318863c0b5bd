using System.IO;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Storage;
using TraceCraft.Git;

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
        /// <summary>
        /// Folder of the folder store (relative to the working folder); default <see cref="ProjectSetup.DefaultFolderStorePath"/>:
        /// inside the repository's shared git folder in a git working tree, <c>.tracecraft-store</c> in the working folder elsewhere.
        /// </summary>
        public string? Path { get; init; }
        public bool QuoteIfMatch { get; init; }
    }

    /// <summary>init: write the config, create the bucket if missing, register the agent.</summary>
    public static class ProjectSetup
    {
        /// <summary>The folder store's folder outside git, in the working folder (and everywhere before git repositories had their own).</summary>
        public const string DefaultFolderStore = ".tracecraft-store";

        /// <summary>The folder store's folder inside a repository's common git folder.</summary>
        public const string GitFolderStore = "tracecraft-store";

        /// <summary>
        /// Where the folder store goes when init is given no path. In a git repository: <c>tracecraft-store</c> in the
        /// repository's common git folder (the main checkout's <c>.git</c>, what <c>git rev-parse --git-common-dir</c>
        /// names), because that is the one folder every worktree of the repository reaches: agents started in separate
        /// worktrees (<c>git worktree add</c>) share one store with no flags and no server. Inside <c>.git</c> it is never
        /// committed nor listed as untracked, <c>git clean -fdx</c>, <c>git gc</c> and <c>git worktree remove/prune</c>
        /// leave it alone, and it works for a bare repository with worktrees too, which has no main checkout. Outside
        /// git: <c>.tracecraft-store</c> in the working folder, as before.
        /// </summary>
        public static string DefaultFolderStorePath(string workingDirectory) =>
            GitRepository.FindCommonDirectory(workingDirectory) is string commonGitDirectory
                ? Path.Combine(commonGitDirectory, GitFolderStore)
                : Path.GetFullPath(Path.Combine(workingDirectory, DefaultFolderStore));

        public static async Task<ProjectContext> InitializeAsync(InitRequest request, ConfigLoader loader, TcSessionOptions? options = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Project, request.Project);
            IdValidator.Validate(IdKind.Agent, request.Agent);
            if (request.Backend == Backends.S3 && TcConfig.EndpointProblem(request.Endpoint) is string problem)
                throw new TcException(TcErrorCode.InvalidArgument, $"The endpoint {problem}.", request.Endpoint);
            if ((request.AccessKey is null) != (request.SecretKey is null))
                throw new TcException(TcErrorCode.InvalidArgument, "Give both --access-key and --secret-key, or neither (then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS profile are used).");
            var (accessKey, secretKey) = KeysToWrite(request, loader);
            // Resolved now and written as a full path, so every later command (and every agent whose init resolved
            // the same repository) opens exactly this folder, whatever folder it runs in.
            string? path = request.Backend != Backends.Folder ? null
                : request.Path is string given ? Path.GetFullPath(Path.Combine(loader.WorkingDirectory, given))
                : DefaultFolderStorePath(loader.WorkingDirectory);
            if (request.Backend == Backends.Folder && request.Path is null) WarnOfEarlierStore(loader.WorkingDirectory, path!, options);
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
        /// An init here before stores moved into the git folder left its objects in <c>./.tracecraft-store</c>; the
        /// new default does not read them, so say so rather than let the agents start over unknowingly.
        /// </summary>
        private static void WarnOfEarlierStore(string workingDirectory, string path, TcSessionOptions? options)
        {
            string earlier = Path.GetFullPath(Path.Combine(workingDirectory, DefaultFolderStore));
            if (options?.Warning is not { } warn || string.Equals(earlier, path, System.StringComparison.Ordinal) || !Directory.Exists(earlier)) return;
            warn($"The folder store from an earlier init, '{earlier}', is not used: in a git repository the store is now '{path}', shared by every worktree. " +
                 $"Move the contents of '{earlier}' there, or pass --path {DefaultFolderStore} (-Path) to keep using it.");
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
