using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Report;
using TraceCraft.Tests.Protocol;
using Xunit;

namespace TraceCraft.Tests.Board
{
    /// <summary>
    /// The HTML report of a recorded fleet run, rendered by a real browser (headless chromium): the assertions read the
    /// DOM after the report's script ran (lanes, bars, the takeover marker), and the screenshot is kept under out/report/.
    /// </summary>
    public abstract class HtmlReportBrowserTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected HtmlReportBrowserTests(TBackend backend) : base(backend) { }

        private string Name => Backend is S3Backend ? "s3" : "folder";

        [Fact]
        public async Task The_report_of_a_fleet_run_draws_a_lane_per_agent_a_bar_per_claim_and_the_takeover_in_a_browser()
        {
            string chromium = BrowserTools.Require("chromium");
            var clock = await FleetRecording.RecordAsync((name, c) => Agent(name, c));
            // A hostile note: it must arrive as text, never as markup or script.
            var hostile = Agent("mallory", clock);
            await hostile.Steps.CompleteAsync("xss", new CompletionRequest { Note = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">" });
            var snapshot = await new ProjectReader(Agent("viewer", clock), new ProjectReaderOptions { History = true }).RefreshAsync();

            string folder = Directory.CreateDirectory(Path.Combine(BrowserTools.RepositoryRoot, "out", "report")).FullName;
            string html = Path.Combine(folder, $"report-{Name}.html");
            HtmlReport.Write(snapshot, html);
            Assert.DoesNotContain("http://", File.ReadAllText(html).Replace("http://www.w3.org/2000/svg", ""));
            Assert.DoesNotContain("https://", File.ReadAllText(html));

            string profile = Directory.CreateDirectory(Path.Combine(Backend.TempFolder, "chromium-" + Guid.NewGuid().ToString("N"))).FullName;
            string[] common = { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=2000" };
            var (code, dom) = BrowserTools.RunProcess(chromium, common.Concat(new[] { "--dump-dom", new Uri(html).AbsoluteUri }).ToArray(), TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"chromium --dump-dom failed ({code}):\n{dom}");
            File.WriteAllText(Path.Combine(folder, $"report-{Name}.dom.html"), dom);

            // The script ran, and drew from the data.
            Assert.Contains("data-rendered=\"true\"", dom);
            var lanes = Regex.Matches(dom, "<g class=\"lane\" data-agent=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            foreach (var agent in FleetRecording.Agents) Assert.Contains(agent, lanes);
            Assert.Equal(lanes.Count, lanes.Distinct().Count());
            var bars = Regex.Matches(dom, "<rect [^>]*class=\"bar ([a-z_]+)\" data-step=\"([^\"]+)\" data-agent=\"([^\"]+)\"").Select(m => (Outcome: m.Groups[1].Value, Step: m.Groups[2].Value, Agent: m.Groups[3].Value)).ToList();
            // One bar per claim: design, build twice (builder, then rescuer), docs, test, and the unclaimed xss completion.
            Assert.Equal(snapshot.Steps.Sum(s => s.Attempts.Count), bars.Count);
            Assert.Contains(("taken_over", "build", "builder"), bars);
            Assert.Contains(("complete", "build", "rescuer"), bars);
            Assert.Contains(("blocked", "docs", "writer"), bars);
            Assert.Contains(("failed", "test", "tester"), bars);
            Assert.Matches("<path [^>]*class=\"takeover\" data-step=\"build\" data-from=\"builder\" data-to=\"rescuer\"", dom);
            Assert.Matches("<line [^>]*class=\"expiry\"", dom);
            Assert.Equal(snapshot.MessageMarks.Count, Regex.Matches(dom, "class=\"tick\"").Count);
            // The step graph: a node per step with its state.
            Assert.Matches("<g class=\"node failed\" data-step=\"test\"", dom);
            Assert.Matches("<g class=\"node waiting\" data-step=\"deploy\"", dom);
            // The hostile note stayed text.
            Assert.Contains("<title>TraceCraft report: ", dom);
            Assert.DoesNotContain("pwned</title>", dom);
            Assert.DoesNotContain("<img src=\"x\"", dom);
            Assert.Contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;", dom);

            string png = Path.Combine(folder, $"report-{Name}.png");
            File.Delete(png);
            var shot = BrowserTools.RunProcess(chromium, common.Concat(new[] { "--screenshot=" + png, "--window-size=1280,1500", "--hide-scrollbars", new Uri(html).AbsoluteUri }).ToArray(), TimeSpan.FromMinutes(2));
            Assert.True(File.Exists(png) && new FileInfo(png).Length > 10_000, $"chromium wrote no screenshot ({shot.Code}):\n{shot.Output}");
        }
    }

    public sealed class FolderHtmlReportBrowserTests : HtmlReportBrowserTests<FolderBackend> { public FolderHtmlReportBrowserTests(FolderBackend b) : base(b) { } }
    public sealed class S3HtmlReportBrowserTests : HtmlReportBrowserTests<S3Backend> { public S3HtmlReportBrowserTests(S3Backend b) : base(b) { } }
}
