using System.IO;
using TraceCraft.CommandLine;
using Xunit;

namespace TraceCraft.Tests.Cli
{
    /// <summary>
    /// <c>tracecraft mcp</c> in a host without the MCP server (the module's <c>tracecraft</c> function runs this library):
    /// a clear failure that names the native executable, never "invalid choice" nor a server on the wrong stdout.
    /// </summary>
    public sealed class McpVerbTests
    {
        private static (int Code, string Out, string Err) Run(params string[] args)
        {
            // An empty folder and an empty TRACECRAFT_HOME: no configuration anywhere, so no verb can reach a store.
            string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tracecraft-mcp-verb", Path.GetRandomFileName())).FullName;
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            try
            {
                int code = TracecraftCli.Run(args, new CliContext
                {
                    Out = stdout,
                    Error = stderr,
                    WorkingDirectory = folder,
                    Environment = name => name == "TRACECRAFT_HOME" ? Path.Combine(folder, "home") : null,
                });
                return (code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Fact]
        public void Mcp_outside_the_native_executable_fails_and_names_it()
        {
            var (code, output, error) = Run("mcp");
            Assert.Equal(TracecraftCli.Failure, code);
            Assert.Equal("", output);
            Assert.Equal("Error: 'mcp' is served by the native tracecraft executable, not by this host: install it (Install-TcCommand, or tools/Build-Native.ps1 -Install) " +
                         "and configure your MCP client to run 'tracecraft mcp'.\n", error);
        }

        [Fact]
        public void Mcp_is_in_the_help()
        {
            var (code, output, _) = Run("--help");
            Assert.Equal(TracecraftCli.Success, code);
            Assert.Contains("\n  mcp ", output);
            Assert.StartsWith("usage: tracecraft mcp\n", Run("mcp", "--help").Out);
        }

        /// <summary>After "--" a "-h" is a value (a message, a key): before, any "-h" printed the verb's help.</summary>
        [Fact]
        public void Help_flag_after_double_dash_is_not_help()
        {
            var (code, output, error) = Run("send", "bob", "--", "-h");
            // No configuration here: the verb ran and said so; it printed no help.
            Assert.Equal(TracecraftCli.Failure, code);
            Assert.Equal("", output);
            Assert.StartsWith("Error: No TraceCraft configuration found", error);
        }
    }
}
