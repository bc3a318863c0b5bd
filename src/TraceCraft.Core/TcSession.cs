using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using TraceCraft.Config;
using TraceCraft.Keys;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft
{
    /// <summary>Options for opening a session that do not belong in the config file.</summary>
    public sealed class TcSessionOptions
    {
        /// <summary>Sees every store request (the cmdlets' -Verbose, request counts in tests).</summary>
        public Action<StoreRequest>? RequestObserver { get; init; }
        /// <summary>Receives warnings (a corrupt object skipped, a heartbeat that failed).</summary>
        public Action<string>? Warning { get; init; }
        /// <summary>Where local caches live (inbox cursor, heartbeat marker). Default: ~/.tracecraft/cache.</summary>
        public string? CacheDirectory { get; init; }
        public TcClock? Clock { get; init; }
        /// <summary>Use this store instead of the one the config names (tests, benchmarks).</summary>
        public IObjectStore? Store { get; init; }
    }

    /// <summary>
    /// Store + project layout + agent identity + clock: the one object a cmdlet or CLI call holds. Each
    /// concept of the protocol hangs off it.
    /// </summary>
    public sealed class TcSession : IDisposable
    {
        private readonly Action<string>? _warning;

        public TcSession(TcConfig config, TcSessionOptions? options = null)
        {
            options ??= new TcSessionOptions();
            config.Check();
            Config = config;
            AgentId = Keys.IdValidator.Validate(IdKind.Agent, config.AgentId);
            Layout = new ProjectLayout(config.Project);
            var store = options.Store ?? CreateStore(config);
            Store = options.RequestObserver is null ? store : new InstrumentedStore(store, options.RequestObserver);
            Clock = options.Clock ?? new TcClock();
            _warning = options.Warning;
            CacheDirectory = options.CacheDirectory ?? Path.Combine(ConfigLoader.ProcessHomeDirectory, "cache");

            Memory = new MemoryService(this);
            Claims = new ClaimService(this);
            Steps = new StepService(this);
            Messages = new MessageService(this);
            Barriers = new BarrierService(this);
            Artifacts = new ArtifactService(this);
            Agents = new AgentService(this);
            Transcripts = new Sessions.SessionMirrorService(this);
        }

        public TcConfig Config { get; }
        public string AgentId { get; }
        public ProjectLayout Layout { get; }
        public IObjectStore Store { get; }
        public TcClock Clock { get; }
        public string CacheDirectory { get; }

        public MemoryService Memory { get; }
        public ClaimService Claims { get; }
        public StepService Steps { get; }
        public MessageService Messages { get; }
        public BarrierService Barriers { get; }
        public ArtifactService Artifacts { get; }
        public AgentService Agents { get; }
        /// <summary>Session mirroring: agents' session transcripts copied into the store (sessions/&lt;harness&gt;/&lt;id&gt;/).</summary>
        public Sessions.SessionMirrorService Transcripts { get; }

        public ProjectContext Context => new ProjectContext
        {
            Project = Layout.Project,
            Agent = AgentId,
            Backend = Config.Backend,
            Location = Store.Location,
            ConfigPath = Config.Source,
        };

        /// <summary>
        /// A folder of local state private to this store, project and agent: created (if it can be) mode 700 on
        /// Unix, like every folder from <see cref="CacheDirectory"/> down to it.
        /// </summary>
        public string PrivateCacheFolder(string purpose)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(Store.Location + "\n" + Layout.Project + "\n" + AgentId));
            var name = BitConverter.ToString(hash, 0, 8).Replace("-", "").ToLowerInvariant();
            string folder = Path.Combine(CacheDirectory, purpose, name);
            LocalFiles.TryCreatePrivateFolder(folder, CacheDirectory);
            return folder;
        }

        internal void Warn(string message) => _warning?.Invoke(message);

        public static IObjectStore CreateStore(TcConfig config) => config.Backend switch
        {
            Backends.Folder => new FolderObjectStore(config.Path!),
            _ => CreateS3Store(config),
        };

        private static IObjectStore CreateS3Store(TcConfig config)
        {
            var options = config.ToS3Options();
            return new RetryingStore(new S3ObjectStore(options), options.OperationTimeout);
        }

        public void Dispose() => Store.Dispose();
    }
}
