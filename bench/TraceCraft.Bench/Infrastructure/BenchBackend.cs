using System;
using System.IO;
using TraceCraft.Config;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>
    /// One store the scenarios run on: the real S3 server or the folder store. Sessions are built exactly as a user's
    /// are (the engine makes its own store from the config); each agent gets its own session, S3 client and cache folder.
    /// </summary>
    public sealed class BenchBackend : IDisposable
    {
        public const string S3Name = "s3";
        public const string FolderName = "folder";

        private readonly S3Server? _server;

        private BenchBackend(string name, S3Server? server, string scratch)
        {
            Name = name;
            _server = server;
            Scratch = scratch;
        }

        public static BenchBackend S3(S3Server server, string scratch) => new BenchBackend(S3Name, server, Directory.CreateDirectory(Path.Combine(scratch, "s3")).FullName);

        public static BenchBackend Folder(string scratch) => new BenchBackend(FolderName, null, Directory.CreateDirectory(Path.Combine(scratch, "folder")).FullName);

        /// <summary>"s3" or "folder".</summary>
        public string Name { get; }

        public bool IsS3 => _server is not null;

        /// <summary>This backend's scratch folder (caches, configs; the folder store's bucket).</summary>
        public string Scratch { get; }

        public S3Server Server => _server ?? throw new InvalidOperationException("Not an S3 backend.");

        public string FolderRoot => Path.Combine(Scratch, "bucket");

        public TcConfig ConfigFor(string project, string agent) => _server is null
            ? new TcConfig { Backend = Backends.Folder, Path = FolderRoot, Project = project, AgentId = agent }
            : new TcConfig
            {
                Backend = Backends.S3,
                Endpoint = _server.Endpoint,
                Bucket = _server.Bucket,
                AccessKey = _server.AccessKey,
                SecretKey = _server.SecretKey,
                Project = project,
                AgentId = agent,
            };

        /// <summary>A session for an agent: its own store client, its own cache folder, optionally an observer and a clock.</summary>
        public TcSession Session(string project, string agent, Action<StoreRequest>? observer = null, TcClock? clock = null) =>
            new TcSession(ConfigFor(project, agent), new TcSessionOptions
            {
                CacheDirectory = Path.Combine(Scratch, "cache", project, agent),
                RequestObserver = observer,
                Clock = clock,
            });

        /// <summary>A plain client of the same store, outside every session: reads the durable truth (claim.json, listings).</summary>
        public IObjectStore NewVerifierStore() => TcSession.CreateStore(ConfigFor("verifier", "verifier"));

        public void Dispose()
        {
        }
    }
}
