using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>The heartbeat timers of each runspace.</summary>
    internal static class HeartbeatTimers
    {
        private sealed class Holder { public IDisposable? Timer; }
        private static readonly ConditionalWeakTable<object, Holder> PerRunspace = new ConditionalWeakTable<object, Holder>();

        private static Holder Current => PerRunspace.GetValue((object?)Runspace.DefaultRunspace ?? typeof(HeartbeatTimers), _ => new Holder());

        public static bool Replace(IDisposable? timer)
        {
            var holder = Current;
            bool had = holder.Timer is not null;
            holder.Timer?.Dispose();
            holder.Timer = timer;
            return had;
        }
    }

    /// <summary>Keeps this agent's heartbeat fresh in the background for the rest of the session (or until Stop-TcHeartbeat).</summary>
    [Cmdlet(VerbsLifecycle.Start, "TcHeartbeat")]
    [OutputType(typeof(void))]
    public sealed class StartTcHeartbeatCommand : TcCmdlet
    {
        /// <summary>Seconds between heartbeats (default 60).</summary>
        [Parameter(Position = 0)]
        [ValidateRange(1, 86400)]
        public int IntervalSeconds { get; set; } = TcOptions.DefaultHeartbeatSeconds;

        protected override void ProcessItem()
        {
            // The first beat is written now, and its failure reported here; the later ones are best effort.
            HeartbeatTimers.Replace(Run((session, ct) => session.Agents.StartHeartbeatAsync(TimeSpan.FromSeconds(IntervalSeconds), ct)));
            WriteVerbose($"Heartbeat of {Session.AgentId} every {IntervalSeconds} s.");
        }
    }

    /// <summary>Stops the background heartbeat started by Start-TcHeartbeat.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "TcHeartbeat")]
    [OutputType(typeof(void))]
    public sealed class StopTcHeartbeatCommand : TcCmdlet
    {
        protected override void ProcessItem()
        {
            if (!HeartbeatTimers.Replace(null)) WriteVerbose("No heartbeat was running.");
        }
    }
}
