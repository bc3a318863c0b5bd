using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TraceCraft.CommandLine;
using TraceCraft.Errors;
using TraceCraft.Setup;
using Xunit;

namespace TraceCraft.Tests.Setup
{
    /// <summary>`tracecraft setup`: the instructions block written into CLAUDE.md / AGENTS.md, idempotently.</summary>
    public sealed class AgentSetupTests : IDisposable
    {
        private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tcsetup-" + Guid.NewGuid().ToString("N").Substring(0, 10))).FullName;

        private (int Code, string Out, string Err) Run(params string[] args)
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            // No config anywhere: setup must not need one.
            var env = new Dictionary<string, string> { ["TRACECRAFT_HOME"] = Path.Combine(_folder, "home") };
            int code = TracecraftCli.Run(args, new CliContext
            {
                Out = stdout,
                Error = stderr,
                WorkingDirectory = _folder,
                Environment = name => env.TryGetValue(name, out var v) ? v : null,
            });
            return (code, stdout.ToString(), stderr.ToString());
        }

        private string File_(string name) => Path.Combine(_folder, name);

        [Theory]
        [InlineData("claude-code", "CLAUDE.md", "claude mcp add tracecraft -- tracecraft mcp")]
        [InlineData("codex", "AGENTS.md", "[mcp_servers.tracecraft]")]
        [InlineData("agents-md", "AGENTS.md", "command `tracecraft`, arguments `[\"mcp\"]`")]
        public void A_new_file_gets_the_block_of_its_harness(string target, string fileName, string mcpSnippet)
        {
            var run = Run("setup", target);
            Assert.Equal((0, $"Wrote the tracecraft instructions to {File_(fileName)}\n", ""), run);
            string text = File.ReadAllText(File_(fileName));
            Assert.StartsWith(MarkedBlock.Begin + "\n", text);
            Assert.EndsWith(MarkedBlock.End + "\n", text);
            Assert.DoesNotContain("\r", text);
            Assert.Contains(mcpSnippet, text);
            foreach (var needed in new[] { "--json", "claim --next --lease", "renew STEP", "--token N", "release STEP", "Exit code 3", "complete STEP" })
                Assert.Contains(needed, text);
            Assert.Single(Directory.GetFiles(_folder));
        }

        [Fact]
        public void A_second_run_changes_nothing_not_even_the_write_time()
        {
            Assert.Equal(0, Run("setup", "codex").Code);
            var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(File_("AGENTS.md"), stamp);
            byte[] before = File.ReadAllBytes(File_("AGENTS.md"));
            var again = Run("setup", "codex");
            Assert.Equal((0, $"{File_("AGENTS.md")} already has the current tracecraft instructions\n", ""), again);
            Assert.Equal(before, File.ReadAllBytes(File_("AGENTS.md")));
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(File_("AGENTS.md")));
        }

        [Fact]
        public void The_users_text_around_an_old_block_is_kept_byte_for_byte_and_the_block_is_updated_in_place()
        {
            string before = "# My project\n\nRules of the house: `<!-- tracecraft:begin -->` is our marker.\n\n";
            string after = "\n## More rules\n- keep tests green\n   trailing spaces   \nno final newline";
            string old = MarkedBlock.Begin + "\nold instructions, an older version wrote them\n" + MarkedBlock.End;
            File.WriteAllText(File_("AGENTS.md"), before + old + after);
            var run = Run("setup", "agents-md");
            Assert.Equal((0, $"Updated the tracecraft instructions in {File_("AGENTS.md")}\n", ""), run);
            string text = File.ReadAllText(File_("AGENTS.md"));
            Assert.Equal(before + AgentInstructions.Block("agents-md") + after, text);
            Assert.Equal(0, Run("setup", "agents-md").Code);
            Assert.Equal(text, File.ReadAllText(File_("AGENTS.md")));
        }

        [Fact]
        public void A_file_without_a_block_gets_it_appended_after_a_blank_line()
        {
            File.WriteAllText(File_("CLAUDE.md"), "# Notes\nno newline at the end");
            Assert.Equal(0, Run("setup", "claude-code").Code);
            Assert.Equal("# Notes\nno newline at the end\n\n" + AgentInstructions.Block("claude-code") + "\n", File.ReadAllText(File_("CLAUDE.md")));
        }

        [Fact]
        public void A_CRLF_file_stays_CRLF_our_block_included_and_keeps_its_byte_order_mark()
        {
            string user = "# Windows notes\r\nline two\r\n";
            File.WriteAllBytes(File_("AGENTS.md"), new UTF8Encoding(true).GetPreamble().Concat(Encoding.UTF8.GetBytes(user)).ToArray());
            Assert.Equal(0, Run("setup", "codex").Code);
            byte[] bytes = File.ReadAllBytes(File_("AGENTS.md"));
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes.Take(3));
            string text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            Assert.StartsWith(user + "\r\n" + MarkedBlock.Begin + "\r\n", text);
            Assert.DoesNotMatch("[^\r]\n", text);
            Assert.Equal(user + "\r\n" + AgentInstructions.Block("codex").Replace("\n", "\r\n") + "\r\n", text);
            // Updated in place, still CRLF, still one block.
            Assert.Equal(0, Run("setup", "codex").Code);
            Assert.Equal(bytes, File.ReadAllBytes(File_("AGENTS.md")));
        }

        [Fact]
        public void Print_shows_the_block_and_writes_nothing()
        {
            var run = Run("setup", "claude-code", "--print");
            Assert.Equal((0, AgentInstructions.Block("claude-code") + "\n", ""), run);
            Assert.Empty(Directory.GetFileSystemEntries(_folder));
        }

        [Fact]
        public void Path_names_a_file_or_a_folder()
        {
            Directory.CreateDirectory(File_("repo"));
            Assert.Equal(0, Run("setup", "claude-code", "--path", "repo").Code);
            Assert.True(File.Exists(Path.Combine(_folder, "repo", "CLAUDE.md")));
            Assert.Equal(0, Run("setup", "codex", "--path", "new/").Code);
            Assert.True(File.Exists(Path.Combine(_folder, "new", "AGENTS.md")));
            Assert.Equal(0, Run("setup", "codex", "--path", "docs/INSTRUCTIONS.md").Code);
            Assert.Contains(MarkedBlock.Begin, File.ReadAllText(Path.Combine(_folder, "docs", "INSTRUCTIONS.md")));
        }

        [Theory]
        [InlineData("<!-- tracecraft:begin -->\nno end\n")]
        [InlineData("text\n<!-- tracecraft:end -->\n")]
        [InlineData("<!-- tracecraft:end -->\n<!-- tracecraft:begin -->\n")]
        [InlineData("<!-- tracecraft:begin -->\na\n<!-- tracecraft:end -->\n<!-- tracecraft:begin -->\nb\n<!-- tracecraft:end -->\n")]
        public void Damaged_markers_are_an_error_and_the_file_is_not_touched(string content)
        {
            File.WriteAllText(File_("AGENTS.md"), content);
            var run = Run("setup", "codex");
            Assert.Equal(1, run.Code);
            Assert.StartsWith("Error: AGENTS.md has ", run.Err);
            Assert.Contains("fix or remove them by hand", run.Err);
            Assert.Equal(content, File.ReadAllText(File_("AGENTS.md")));
            var e = Assert.Throws<TcException>(() => MarkedBlock.WriteTo(File_("AGENTS.md"), AgentInstructions.Block("codex")));
            Assert.Equal(TcErrorCode.MarkedBlockDamaged, e.Code);
        }

        [Fact]
        public void Bad_command_lines_are_usage_errors()
        {
            Assert.Equal(2, Run("setup").Code);
            var unknown = Run("setup", "cursor");
            Assert.Equal(2, unknown.Code);
            Assert.Contains("choose from claude-code, codex, agents-md", unknown.Err);
            Assert.Equal(2, Run("setup", "codex", "--bogus").Code);
            Assert.Empty(Directory.GetFileSystemEntries(_folder));
        }

        public void Dispose()
        {
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }
    }
}
