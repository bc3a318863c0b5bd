using System;
using System.Collections.Generic;
using TraceCraft.Storage;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>Each protocol test class runs against both backends; each test gets a fresh project.</summary>
    public abstract class ProtocolTestBase<TBackend> : IClassFixture<TBackend>, IDisposable where TBackend : Backend
    {
        private readonly List<IDisposable> _owned = new List<IDisposable>();

        protected ProtocolTestBase(TBackend backend)
        {
            Backend = backend;
            Project = TestS3Server.UniqueName("proj");
        }

        protected TBackend Backend { get; }
        protected string Project { get; }

        /// <summary>A session for an agent of this test's project.</summary>
        protected TcSession Agent(string name, TcClock? clock = null, Action<StoreRequest>? observer = null, Action<string>? warning = null, IObjectStore? store = null)
        {
            var session = store is null
                ? Backend.Session(Project, name, clock, observer, warning)
                : new TcSession(Backend.ConfigFor(Project, name), new TcSessionOptions
                {
                    Store = store,
                    Clock = clock,
                    RequestObserver = observer,
                    Warning = warning,
                    CacheDirectory = System.IO.Path.Combine(Backend.TempFolder, "cache-" + name),
                });
            _owned.Add(session);
            return session;
        }

        protected T Own<T>(T disposable) where T : IDisposable
        {
            _owned.Add(disposable);
            return disposable;
        }

        public void Dispose()
        {
            foreach (var d in _owned) d.Dispose();
        }
    }
}
