using System;
using System.Management.Automation;
using TraceCraft.CommandLine.Board;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// The live board: agents (heartbeat age, stale in red, the step each holds), steps by state (holder, token and lease
    /// countdown; who completed what when), the last messages and a summary line, refreshed every second until q or
    /// Ctrl-C. In a console host whose output goes to the screen it fills the terminal; otherwise (output piped or
    /// redirected, NO_COLOR set, another host) and with -Once it writes plain-text frames as strings.
    /// </summary>
    [Cmdlet(VerbsCommon.Watch, "TcProject")]
    [OutputType(typeof(string))]
    public sealed class WatchTcProjectCommand : TcCmdlet
    {
        /// <summary>Write one plain-text frame and stop (for scripts and logs).</summary>
        [Parameter]
        public SwitchParameter Once { get; set; }

        /// <summary>Seconds between refreshes (default 1).</summary>
        [Parameter]
        [ValidateRange(TcOptions.MinBoardIntervalSeconds, TcOptions.MaxBoardIntervalSeconds)]
        public double IntervalSeconds { get; set; } = LiveBoard.DefaultInterval.TotalSeconds;

        protected override void ProcessItem()
        {
            var interval = TimeSpan.FromSeconds(IntervalSeconds);
            bool toScreen = Host.Name == "ConsoleHost" && MyInvocation.PipelinePosition == MyInvocation.PipelineLength
                && LiveBoard.CanDrawLive(Environment.GetEnvironmentVariable);
            if (!Once && toScreen)
            {
                LiveBoard.RunLive(Session, interval, Cancellation);
                return;
            }
            int width = 100;
            try { if (toScreen && Host.UI.RawUI.WindowSize.Width > 0) width = Host.UI.RawUI.WindowSize.Width; } catch (Exception e) when (e is NotImplementedException or System.IO.IOException or System.Management.Automation.Host.HostException) { }
            bool read = Run((s, ct) => LiveBoard.RunPlainAsync(s, frame => Post(() => WriteObject(frame)), Once, interval, width, ct));
            if (!read)
                WriteError(new ErrorRecord(new InvalidOperationException("The store could not be read: the frame shows the notice."), "StoreUnreachable", ErrorCategory.ConnectionError, null));
        }
    }
}
