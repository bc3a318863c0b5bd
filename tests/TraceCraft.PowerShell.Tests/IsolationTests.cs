using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>
    /// TraceCraft works in a session that already loaded another AWSSDK.Core (as AWS.Tools does): its own copy loads
    /// into the module's AssemblyLoadContext.
    /// </summary>
    public sealed class IsolationTests
    {
        [Fact]
        public void Works_after_another_AWSSDK_Core_version_was_loaded_into_the_session()
        {
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string other = Path.Combine(packages, "awssdk.core", "3.7.402", "lib", "netcoreapp3.1", "AWSSDK.Core.dll");
            Assert.True(File.Exists(other), "AWSSDK.Core 3.7.402 is restored by this project's PackageDownload: " + other);
            var foreign = Assembly.LoadFrom(other);
            Assert.Equal(3, foreign.GetName().Version!.Major);
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(foreign));

            using var host = new HostedModule();
            var server = TestS3Server.Current;
            string project = TestS3Server.UniqueName("iso");
            host.Run("a", "Initialize-TcProject -Project $p -Agent a -Endpoint $e -Bucket $b -Credential ([pscredential]::new($k, [System.Net.NetworkCredential]::new('', $s).SecurePassword))",
                new() { ["p"] = project, ["e"] = server.Endpoint, ["b"] = server.Bucket, ["k"] = server.AccessKey, ["s"] = server.SecretKey }).Ok();
            var claim = host.Run("a", "Request-TcStep -Id isolated").Ok().Output.Single();
            Assert.Equal("a", claim.Properties["Agent"].Value);

            var ours = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "AWSSDK.Core" && a.GetName().Version!.Major == 4).ToList();
            var context = Assert.Single(ours.Select(AssemblyLoadContext.GetLoadContext).Distinct());
            Assert.Equal("TraceCraft", context!.Name);
        }

        /// <summary>
        /// The AssemblyResolve answer of Windows PowerShell 5.1 (no load contexts there), checked through its decision
        /// function because this runtime never raises that path: only our own assemblies get our dependency files.
        /// </summary>
        [Fact]
        public void The_5_1_resolver_answers_only_requests_of_our_own_assemblies_for_files_of_our_dependency_folder()
        {
            using var host = new HostedModule();
            string moduleFolder = Path.GetDirectoryName(Path.GetFullPath(HostedModule.ModulePath))!;
            var cmdlets = AppDomain.CurrentDomain.GetAssemblies().Single(a => !a.IsDynamic && a.GetName().Name == "TraceCraft.PowerShell" &&
                string.Equals(Path.GetDirectoryName(a.Location), moduleFolder, StringComparison.Ordinal));
            var core = AppDomain.CurrentDomain.GetAssemblies().First(a => !a.IsDynamic && a.GetName().Name == "TraceCraft.Core" &&
                string.Equals(Path.GetDirectoryName(a.Location), Path.Combine(moduleFolder, "dependencies"), StringComparison.Ordinal));
            var decide = cmdlets.GetType("TraceCraft.PowerShell.ModuleInitializer", throwOnError: true)!
                .GetMethod("DependencyFileFor", BindingFlags.NonPublic | BindingFlags.Static)!;
            string? For(string name, Assembly? requester) => (string?)decide.Invoke(null, new object?[] { name, requester });

            string ourCore = Path.Combine(moduleFolder, "dependencies", "AWSSDK.Core.dll");
            Assert.Equal(ourCore, For("AWSSDK.Core, Version=4.0.0.0, Culture=neutral, PublicKeyToken=885c28607f98e604", cmdlets));
            Assert.Equal(ourCore, For("AWSSDK.Core, Version=4.0.0.0, Culture=neutral, PublicKeyToken=885c28607f98e604", core));
            // Another module (here: the runtime's own assembly) asking for a name we also ship gets nothing from us.
            Assert.Null(For("AWSSDK.Core, Version=3.3.0.0, Culture=neutral, PublicKeyToken=885c28607f98e604", typeof(string).Assembly));
            Assert.Null(For("AWSSDK.Core", null));
            Assert.Null(For("Not.A.Dependency", cmdlets));
        }
    }
}
