using System;
using System.IO;
using TraceCraft.Config;
using TraceCraft.Storage;
using TraceCraft.Testing;

namespace TraceCraft.Tests
{
    /// <summary>A backend the same tests run against: the folder store, or the real S3 server.</summary>
    public abstract class Backend : IDisposable
    {
        /// <summary>A new client of the same bucket or folder, as another agent would have.</summary>
        public abstract IObjectStore NewStore();

        /// <summary>A config for an agent of a project on this backend.</summary>
        public abstract TcConfig ConfigFor(string project, string agent);

        public string TempFolder { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tctest-" + Guid.NewGuid().ToString("N").Substring(0, 10))).FullName;

        /// <summary>A session for an agent, with its own cache folder and optionally its own clock and observer.</summary>
        public TcSession Session(string project, string agent, TcClock? clock = null, Action<StoreRequest>? observer = null, Action<string>? warning = null) =>
            new TcSession(ConfigFor(project, agent), new TcSessionOptions
            {
                CacheDirectory = Path.Combine(TempFolder, "cache-" + agent),
                Clock = clock,
                RequestObserver = observer,
                Warning = warning,
            });

        public virtual void Dispose()
        {
            try { Directory.Delete(TempFolder, true); } catch (IOException) { }
        }
    }

    public sealed class FolderBackend : Backend
    {
        public string Root => Path.Combine(TempFolder, "bucket");

        public override IObjectStore NewStore() => new FolderObjectStore(Root);

        public override TcConfig ConfigFor(string project, string agent) =>
            new TcConfig { Backend = Backends.Folder, Path = Root, Project = project, AgentId = agent };
    }

    public sealed class S3Backend : Backend
    {
        public TestS3Server Server { get; } = TestS3Server.Current;

        public S3StoreOptions Options => new S3StoreOptions
        {
            Endpoint = Server.Endpoint,
            Bucket = Server.Bucket,
            AccessKey = Server.AccessKey,
            SecretKey = Server.SecretKey,
        };

        public override IObjectStore NewStore() => new RetryingStore(new S3ObjectStore(Options), TimeSpan.FromSeconds(20));

        public override TcConfig ConfigFor(string project, string agent) => new TcConfig
        {
            Backend = Backends.S3,
            Endpoint = Server.Endpoint,
            Bucket = Server.Bucket,
            AccessKey = Server.AccessKey,
            SecretKey = Server.SecretKey,
            Project = project,
            AgentId = agent,
        };
    }
}
