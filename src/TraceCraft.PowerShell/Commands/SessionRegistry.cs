using System;
using System.IO;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using TraceCraft.Config;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Sessions per runspace (never process-wide: two runspaces, e.g. ForEach-Object -Parallel or xUnit, keep their
    /// own). A session is reused while the folder, the config file and TRACECRAFT_AGENT are unchanged.
    /// </summary>
    internal static class SessionRegistry
    {
        private sealed class Entry
        {
            public string Fingerprint = "";
            public TcSession? Session;
            public TcCmdlet? Current;
        }

        private static readonly ConditionalWeakTable<object, Entry> PerRunspace = new ConditionalWeakTable<object, Entry>();

        public static TcSession Get(TcCmdlet cmdlet) => Open(cmdlet, cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);

        internal static TcSession Open(TcCmdlet? cmdlet, string workingDirectory)
        {
            object key = (object?)Runspace.DefaultRunspace ?? typeof(SessionRegistry);
            var entry = PerRunspace.GetValue(key, _ => new Entry());
            lock (entry)
            {
                var loader = new ConfigLoader(workingDirectory);
                var config = loader.Load();
                string fingerprint = string.Join("|", config.Source, config.Source is null ? "" : File.GetLastWriteTimeUtc(config.Source).Ticks.ToString(), config.AgentId, config.Path);
                if (entry.Session is null || entry.Fingerprint != fingerprint)
                {
                    entry.Session?.Dispose();
                    entry.Session = new TcSession(config, new TcSessionOptions
                    {
                        RequestObserver = r => entry.Current?.OnRequest(r),
                        Warning = w => entry.Current?.OnWarning(w),
                        CacheDirectory = Path.Combine(loader.HomeDirectory, "cache"),
                    });
                    entry.Fingerprint = fingerprint;
                }
                if (cmdlet is not null) entry.Current = cmdlet;
                return entry.Session;
            }
        }
    }
}
