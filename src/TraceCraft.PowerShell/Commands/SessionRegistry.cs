using System.Collections.Generic;
using System.IO;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using TraceCraft.Config;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Sessions per runspace (never process-wide: two runspaces, e.g. ForEach-Object -Parallel or xUnit, keep their
    /// own), one per config file and agent, reused while the file is unchanged, so the claims a session made (kept
    /// for fencing) outlive one command. A session is shared by the commands of a pipeline, so it reports requests
    /// and warnings to whichever cmdlet's call made them (<see cref="TcCmdlet.ReportToCaller"/>), never to "the
    /// cmdlet that opened it". Must be called on the pipeline thread: Runspace.DefaultRunspace is thread-local.
    /// </summary>
    internal static class SessionRegistry
    {
        private sealed class Entry
        {
            public readonly Dictionary<string, (string Stamp, TcSession Session)> Sessions = new Dictionary<string, (string, TcSession)>();
        }

        private static readonly ConditionalWeakTable<object, Entry> PerRunspace = new ConditionalWeakTable<object, Entry>();

        public static TcSession Get(TcCmdlet cmdlet) => Open(cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);

        internal static TcSession Open(string workingDirectory)
        {
            object key = (object?)Runspace.DefaultRunspace ?? typeof(SessionRegistry);
            var entry = PerRunspace.GetValue(key, _ => new Entry());
            lock (entry)
            {
                var loader = new ConfigLoader(workingDirectory);
                var config = loader.Load();
                string identity = config.Source + "|" + config.AgentId;
                string stamp = config.Source is null ? "" : File.GetLastWriteTimeUtc(config.Source).Ticks.ToString();
                if (entry.Sessions.TryGetValue(identity, out var known) && known.Stamp == stamp) return known.Session;
                // The config file changed: its old session is disposed (it may point at another store).
                known.Session?.Dispose();
                var session = new TcSession(config, new TcSessionOptions
                {
                    RequestObserver = TcCmdlet.ReportToCaller,
                    Warning = TcCmdlet.WarnCaller,
                    CacheDirectory = Path.Combine(loader.HomeDirectory, "cache"),
                });
                entry.Sessions[identity] = (stamp, session);
                return session;
            }
        }
    }
}
