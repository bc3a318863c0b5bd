#Requires -Version 7.2
<#
.SYNOPSIS
Runs TraceCraft's Pester suite (tests/Pester/*.Tests.ps1) with Pester 5.9.1 restored from NuGet.

.DESCRIPTION
The PowerShell Gallery is out of reach here, but the NuGet mirror serves Pester as a package. This script restores
it with the tiny project Pester.Restore.csproj (a PackageDownload, so nothing is built) into the NuGet global packages
folder, imports <global-packages>/pester/5.9.1/tools/Pester.psd1, runs every *.Tests.ps1 next to this script, writes
NUnit XML to out/TestResults/pester.xml and ends with one line:

    Pester: N passed, N failed, N skipped

The exit code is 1 when any test (or any setup/teardown block, or any test file) failed, or when no test ran at all.

The tests import the built module and start child processes; they read:
  TRACECRAFT_MODULE_PATH  the built TraceCraft.psd1 (default: out/TraceCraft/<ModuleVersion>/TraceCraft.psd1)
  TRACECRAFT_PWSH         the pwsh executable for child processes (default: the pwsh running this script)
  TRACECRAFT_TEST_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY, _BUCKET
                          a real S3 server (build.ps1 -Test starts Ceph RGW). Without them the S3 tests are skipped,
                          and with CI=true they fail instead.
TRACECRAFT_HOME is pointed at a temporary folder for the whole run, so nothing touches ~/.tracecraft.

.PARAMETER Filter
Only run tests whose full name (Describe / Context / It names joined with dots) matches. A filter without wildcard
characters matches anywhere in the name (*Filter*); with * or ? it is used as the wildcard pattern as given.
Empty runs everything.

.EXAMPLE
dotnet pwsh ./tests/Pester/Invoke-Pester.ps1 -Filter 'Story'
#>
[CmdletBinding()]
param(
    [AllowEmptyString()]
    [AllowNull()]
    [string] $Filter = ''
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$pesterVersion = '5.9.1'
$here = $PSScriptRoot
$root = Split-Path (Split-Path $here -Parent) -Parent
$results = Join-Path $root 'out/TestResults'

function Get-DotNet {
    # The dotnet host: on PATH when started by `dotnet pwsh`, else next to DOTNET_ROOT.
    $command = Get-Command dotnet -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($command) { return $command.Source }
    foreach ($dir in $env:DOTNET_ROOT, (Join-Path $HOME '.dotnet')) {
        if (-not $dir) { continue }
        $candidate = Join-Path $dir ($IsWindows ? 'dotnet.exe' : 'dotnet')
        if (Test-Path $candidate) { return $candidate }
    }
    throw 'Cannot find the dotnet executable (needed to restore Pester): put it on PATH or set DOTNET_ROOT.'
}

function Get-GlobalPackagesFolder([string] $dotnet) {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $lines = & $dotnet nuget locals global-packages --list
    if ($LASTEXITCODE -ne 0) { throw "dotnet nuget locals global-packages --list exited with code $LASTEXITCODE." }
    # One line: "global-packages: /root/.nuget/packages/"
    $line = @($lines) -match '^\s*global-packages:\s*' | Select-Object -First 1
    if (-not $line) { throw "Cannot read the NuGet global packages folder from: $($lines -join ' ')" }
    ($line -replace '^\s*global-packages:\s*', '').Trim()
}

function Import-PinnedPester {
    $dotnet = Get-DotNet
    $packages = Get-GlobalPackagesFolder $dotnet
    $manifest = Join-Path $packages "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        Write-Host "Restoring Pester $pesterVersion from the NuGet feed" -ForegroundColor DarkGray
        & $dotnet restore (Join-Path $here 'Pester.Restore.csproj') --nologo --verbosity quiet | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "dotnet restore of Pester.Restore.csproj exited with code $LASTEXITCODE." }
        if (-not (Test-Path $manifest)) { throw "dotnet restore succeeded but $manifest does not exist." }
    }
    Get-Module Pester | Remove-Module -Force
    Import-Module $manifest -Force -Global
    $loaded = (Get-Module Pester).Version
    if ($loaded -ne [version] $pesterVersion) { throw "Imported Pester $loaded, expected $pesterVersion." }
}

function Get-BlockTest($block) {
    # Every test in a block and in the blocks nested in it.
    $block.Tests
    foreach ($child in $block.Blocks) { Get-BlockTest $child }
}

# The environment the tests read. Everything set here is put back at the end.
$saved = @{}
foreach ($name in 'TRACECRAFT_MODULE_PATH', 'TRACECRAFT_PWSH', 'TRACECRAFT_HOME', 'TRACECRAFT_AGENT', 'TRACECRAFT_CONFIG') {
    $saved[$name] = [Environment]::GetEnvironmentVariable($name)
}
$testHome = Join-Path ([IO.Path]::GetTempPath()) "tracecraft-pester-home-$PID"
try {
    # The defaults the test files would fill in themselves (TRACECRAFT_MODULE_PATH, TRACECRAFT_PWSH), set here once
    # so that a missing build fails before Pester starts.
    Import-Module (Join-Path $here 'TraceCraft.TestHelpers.psm1') -Force
    # No test may read or write the user's ~/.tracecraft, nor pick up an agent or config from the caller's shell.
    New-Item -ItemType Directory -Force $testHome | Out-Null
    $env:TRACECRAFT_HOME = $testHome
    Remove-Item env:TRACECRAFT_AGENT, env:TRACECRAFT_CONFIG -ErrorAction Ignore

    if (-not $env:TRACECRAFT_TEST_S3_ENDPOINT) {
        if ($env:CI -eq 'true') {
            Write-Warning 'CI=true and TRACECRAFT_TEST_S3_ENDPOINT is not set: the S3 tests will FAIL.'
        }
        else {
            Write-Warning 'TRACECRAFT_TEST_S3_ENDPOINT is not set: the S3 tests are skipped (with CI=true they fail).'
        }
    }

    Import-PinnedPester

    $config = New-PesterConfiguration
    $config.Run.Path = @(Get-ChildItem -Path $here -Filter '*.Tests.ps1' -File | Sort-Object Name | ForEach-Object FullName)
    $config.Run.PassThru = $true
    $config.Run.Exit = $false
    $config.Output.Verbosity = 'Detailed'
    New-Item -ItemType Directory -Force $results | Out-Null
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = Join-Path $results 'pester.xml'
    if ($Filter) {
        $config.Filter.FullName = [WildcardPattern]::ContainsWildcardCharacters($Filter) ? $Filter : "*$Filter*"
    }

    Write-Host "Pester $pesterVersion on $env:TRACECRAFT_MODULE_PATH" -ForegroundColor DarkGray
    $run = Invoke-Pester -Configuration $config

    # A failed BeforeAll fails the tests under it; a failed AfterAll, or a file that cannot even be discovered, fails
    # no test: those count as failures too, so that such a run never looks green.
    $failed = $run.FailedCount + $run.FailedContainersCount
    foreach ($block in $run.FailedBlocks) {
        Write-Host "Failed block: $($block.ExpandedPath)" -ForegroundColor Red
        if (-not (Get-BlockTest $block | Where-Object Result -eq 'Failed')) { $failed++ }
    }
    foreach ($container in $run.FailedContainers) { Write-Host "Failed file: $($container.Item)" -ForegroundColor Red }
    if ($run.PassedCount + $run.FailedCount -eq 0) { Write-Host 'No test ran (check -Filter).' -ForegroundColor Red }
    $line = "Pester: $($run.PassedCount) passed, $failed failed, $($run.SkippedCount) skipped"
}
finally {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    Remove-Item -Recurse -Force $testHome -ErrorAction Ignore
}

Write-Host ''
Write-Output $line
exit (($failed -gt 0 -or $run.PassedCount + $run.FailedCount -eq 0) ? 1 : 0)
