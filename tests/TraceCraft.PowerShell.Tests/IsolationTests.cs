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
    }
}
