using System.IO;
using System.Management.Automation;
using TraceCraft.Protocol;
using TraceCraft.Report;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Writes the project as one self-contained HTML file: a timeline (a lane per agent, a bar per claim, takeovers and
    /// lease expiries marked, messages as ticks), the step graph with each step's state, the agents and the handoff notes.
    /// </summary>
    [Cmdlet(VerbsData.Export, "TcReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportTcReportCommand : TcCmdlet
    {
        /// <summary>The HTML file to write (replaced if it exists).</summary>
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The path of the HTML file to write, for example report.html.")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        protected override void ProcessItem()
        {
            string target = GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(target, "Write the TraceCraft HTML report")) return;
            ForItem(() =>
            {
                var snapshot = Run((s, ct) => new ProjectReader(s, new ProjectReaderOptions { History = true }).RefreshAsync(ct));
                HtmlReport.Write(snapshot, target);
                WriteObject(new FileInfo(target));
            });
        }
    }
}
