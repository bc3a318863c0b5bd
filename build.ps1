#Requires -Version 7.2
<#
.SYNOPSIS
Builds TraceCraft, lays out the importable module, runs the tests, packages it, runs the demo.

.DESCRIPTION
Run it with the pinned PowerShell: `dotnet tool restore; dotnet pwsh ./build.ps1 [-Test] [-Package] [-Demo]`.
The module is laid out in out/TraceCraft/<version>/ and every test imports it from there. The layout carries the
native (Native AOT) tracecraft executable for this machine's runtime in bin/<rid>/ (Install-TcCommand puts it on
PATH): Native AOT cannot cross-compile between operating systems, so executables for other runtimes are published on
their own OS (tools/Build-Native.ps1 -Runtime win-x64, osx-arm64) and brought in with -NativeFrom.

-Test starts the project's own Ceph RGW S3 server (tests/s3/start-rgw.sh) unless TRACECRAFT_TEST_S3_ENDPOINT is
set, runs both xUnit suites and the Pester suite, and stops the server. With CI=true a missing S3 server fails the run.
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Run the xUnit suites and the Pester suite.
    [switch] $Test,
    # Build the .nupkg (PowerShell Gallery layout) into out/packages.
    [switch] $Package,
    # Run the two-agent story on the local folder store (no server).
    [switch] $Demo,
    # Publish the native (AOT) tracecraft executable and copy it into ~/.local/bin (or -BinDirectory).
    [switch] $InstallNative,
    [string] $BinDirectory,
    # Lay out the module without the native executable (faster; Install-TcCommand and its tests then fail).
    [switch] $NoNative,
    # A folder of native executables published on other machines, <rid>/tracecraft[.exe] (e.g. win-x64/tracecraft.exe),
    # added to the module's bin/ beside this machine's own.
    [string] $NativeFrom,
    # Remove out/ first.
    [switch] $Clean,
    # Only run tests whose names match (passed to dotnet test --filter and Pester -FullNameFilter).
    [string] $Filter
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$script:NativeExe = $null
$out = Join-Path $root 'out'
$script:XunitProjects = @('tests/TraceCraft.Core.Tests', 'tests/TraceCraft.PowerShell.Tests', 'tests/TraceCraft.Native.Tests')

function Invoke-Native {
    # Runs a program with an argument array and fails the build on a non-zero exit code.
    param([string] $FilePath, [string[]] $ArgumentList)
    Write-Host "> $FilePath $($ArgumentList -join ' ')" -ForegroundColor DarkGray
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$FilePath exited with code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup.ModuleVersion | Where-Object { $_ } | Select-Object -First 1
    $manifest = Import-PowerShellDataFile (Join-Path $root 'TraceCraft.psd1')
    if ($manifest.ModuleVersion -ne $version) {
        throw "TraceCraft.psd1 says ModuleVersion $($manifest.ModuleVersion) but Directory.Build.props says ${version}: make them equal."
    }
    $version
}

function Build-Module {
    $version = Get-ModuleVersion
    $publish = Join-Path $out 'publish'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/TraceCraft.PowerShell/TraceCraft.PowerShell.csproj'), '-c', $Configuration, '-o', $publish, '--nologo')
    $moduleDir = Join-Path $out "TraceCraft/$version"
    if (Test-Path $moduleDir) { Remove-Item -Recurse -Force $moduleDir }
    $deps = New-Item -ItemType Directory -Force (Join-Path $moduleDir 'dependencies')
    $help = New-Item -ItemType Directory -Force (Join-Path $moduleDir 'en-US')
    Copy-Item (Join-Path $root 'TraceCraft.psd1'), (Join-Path $root 'LICENSE') $moduleDir
    foreach ($file in 'TraceCraft.psm1', 'TraceCraft.Format.ps1xml', 'TraceCraft.Types.ps1xml') {
        Copy-Item (Join-Path $root "src/TraceCraft.PowerShell/$file") $moduleDir
    }
    Copy-Item (Join-Path $publish 'TraceCraft.PowerShell.dll') $moduleDir
    # Everything else the cmdlets need goes where only the module's loader finds it (see ModuleInitializer.cs).
    Get-ChildItem $publish -Filter *.dll | Where-Object Name -ne 'TraceCraft.PowerShell.dll' | Copy-Item -Destination $deps
    # SQLite's native library (Hermes sessions) for each desktop runtime, found by ModuleInitializer in dependencies/runtimes.
    foreach ($rid in 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64', 'win-x86') {
        $native = Join-Path $publish "runtimes/$rid/native"
        if (Test-Path $native) { Copy-Item -Recurse $native (New-Item -ItemType Directory -Force (Join-Path $deps "runtimes/$rid")) }
    }
    $docs = Join-Path $root 'docs'
    if (Test-Path (Join-Path $docs 'about_TraceCraft.help.txt')) { Copy-Item (Join-Path $docs 'about_TraceCraft.help.txt') $help }
    $helpGenerator = Join-Path $root 'tools/New-TcHelp.ps1'
    if (Test-Path $helpGenerator) {
        & $helpGenerator -ModuleDirectory $moduleDir -DocsDirectory (Join-Path $docs 'cmdlets') -XmlDoc (Join-Path $publish 'TraceCraft.PowerShell.xml')
    }
    if (-not $NoNative) { Add-NativeExecutables $moduleDir }
    foreach ($expected in 'TraceCraft.psd1', 'TraceCraft.psm1', 'TraceCraft.Format.ps1xml', 'TraceCraft.Types.ps1xml', 'TraceCraft.PowerShell.dll', 'LICENSE',
        'dependencies/TraceCraft.Core.dll', 'dependencies/TraceCraft.CommandLine.dll', 'dependencies/AWSSDK.Core.dll', 'dependencies/AWSSDK.S3.dll',
        'dependencies/SQLitePCLRaw.core.dll', 'dependencies/Spectre.Console.dll', 'dependencies/runtimes/linux-x64/native/libe_sqlite3.so') {
        if (-not (Test-Path (Join-Path $moduleDir $expected))) { throw "The module layout lacks $expected." }
    }
    Write-Host "Module laid out in $moduleDir" -ForegroundColor Green
    $moduleDir
}

function Add-NativeExecutables([string] $moduleDir) {
    # bin/<rid>/tracecraft[.exe]: the one for this machine, published now, and any brought in with -NativeFrom.
    Write-Host 'Compiling the native tracecraft executable with Native AOT (about a minute: ilc compiles the whole program; -NoNative skips it)...' -ForegroundColor Cyan
    $script:NativeExe = & (Join-Path $root 'tools/Build-Native.ps1') -Configuration $Configuration
    $runtime = Split-Path -Leaf (Split-Path -Parent $script:NativeExe)
    $sources = @(@{ Runtime = $runtime; Path = $script:NativeExe })
    if ($NativeFrom) {
        foreach ($folder in Get-ChildItem -LiteralPath $NativeFrom -Directory) {
            $exe = Get-ChildItem -LiteralPath $folder.FullName -File | Where-Object Name -in 'tracecraft', 'tracecraft.exe' | Select-Object -First 1
            if (-not $exe) { throw "$($folder.FullName) holds no tracecraft or tracecraft.exe: -NativeFrom wants <rid>/tracecraft[.exe]." }
            if ($folder.Name -ne $runtime) { $sources += @{ Runtime = $folder.Name; Path = $exe.FullName } }
        }
    }
    foreach ($source in $sources) {
        $bin = New-Item -ItemType Directory -Force (Join-Path $moduleDir "bin/$($source.Runtime)")
        Copy-Item -LiteralPath $source.Path -Destination $bin.FullName
        # The native libraries it loads from beside itself (SQLite, for Hermes sessions), which Install-TcCommand copies too.
        Get-ChildItem -LiteralPath (Split-Path -Parent $source.Path) -File | Where-Object Name -match '^(lib)?e_sqlite3\.(so|dylib|dll)$' |
            Copy-Item -Destination $bin.FullName
        Write-Host ('Native tracecraft for {0} in the module ({1:N1} MiB)' -f $source.Runtime, ((Get-Item -LiteralPath $source.Path).Length / 1MB)) -ForegroundColor Green
    }
}

function Start-TestS3 {
    if ($env:TRACECRAFT_TEST_S3_ENDPOINT) {
        Write-Host "Using the S3 server at $env:TRACECRAFT_TEST_S3_ENDPOINT" -ForegroundColor Green
        return $null
    }
    if (-not $IsLinux) {
        if ($env:CI -eq 'true') { throw 'CI=true and no S3 server: set TRACECRAFT_TEST_S3_ENDPOINT (and keys, bucket).' }
        Write-Warning 'No S3 server: set TRACECRAFT_TEST_S3_ENDPOINT to run the S3 tests.'
        return $null
    }
    $lines = & bash (Join-Path $root 'tests/s3/start-rgw.sh')
    if ($LASTEXITCODE -ne 0) { throw "The test S3 server (Ceph RGW) did not start (exit $LASTEXITCODE); see the messages above." }
    foreach ($line in $lines) {
        $name, $value = $line -split '=', 2
        Set-Item "env:$name" $value
    }
    Write-Host "Started Ceph RGW at $env:TRACECRAFT_TEST_S3_ENDPOINT" -ForegroundColor Green
    $env:TRACECRAFT_RGW_DIR
}

function Stop-TestS3([string] $dir) {
    if ($dir) {
        & bash (Join-Path $root 'tests/s3/stop-rgw.sh') $dir
        foreach ($name in 'TRACECRAFT_TEST_S3_ENDPOINT', 'TRACECRAFT_TEST_S3_ACCESS_KEY', 'TRACECRAFT_TEST_S3_SECRET_KEY', 'TRACECRAFT_TEST_S3_BUCKET', 'TRACECRAFT_RGW_DIR') {
            Remove-Item "env:$name" -ErrorAction Ignore
        }
    }
}

function Invoke-Tests([string] $moduleDir) {
    $env:TRACECRAFT_MODULE_PATH = Join-Path $moduleDir 'TraceCraft.psd1'
    $env:TRACECRAFT_PWSH = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (-not $script:NativeExe) {
        # The native compile prints nothing for most of a minute: say what is happening first.
        Write-Host 'Compiling the native tracecraft executable with Native AOT for the native tests (about a minute, ilc compiles the whole program)...' -ForegroundColor Cyan
        $script:NativeExe = & (Join-Path $root 'tools/Build-Native.ps1') -Configuration $Configuration
    }
    $env:TRACECRAFT_NATIVE_PATH = $script:NativeExe
    $rgw = Start-TestS3
    $results = Join-Path $out 'TestResults'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    try {
        foreach ($project in $script:XunitProjects) {
            $name = Split-Path -Leaf $project
            $arguments = @('test', (Join-Path $root $project), '-c', $Configuration, '--nologo', '--logger', 'console;verbosity=normal',
                '--logger', "trx;LogFileName=$name.trx", '--results-directory', $results)
            if ($Filter) { $arguments += @('--filter', $Filter) }
            Invoke-Native dotnet $arguments
        }
        Invoke-Native $env:TRACECRAFT_PWSH @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'tests/Pester/Invoke-Pester.ps1'), '-Filter', ($Filter ?? ''))
    }
    finally {
        Write-TestSummary $results
        Stop-TestS3 $rgw
    }
}

function Write-TestSummary([string] $results) {
    # One line per suite and a total, counted from the result files; S3 tests are those of the S3* classes.
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem $results -Filter *.trx -ErrorAction Ignore) {
        $xml = [xml](Get-Content -Raw $trx.FullName)
        $outcomes = @($xml.TestRun.Results.UnitTestResult)
        $classes = @{}
        foreach ($t in $xml.TestRun.TestDefinitions.UnitTest) { $classes[$t.id] = $t.TestMethod.className }
        $s3 = @($outcomes | Where-Object { $classes[$_.testId] -match '\.S3[A-Za-z]*Tests$|Isolation' -and $_.outcome -eq 'Passed' }).Count
        $p = @($outcomes | Where-Object outcome -eq 'Passed').Count
        $f = @($outcomes | Where-Object outcome -eq 'Failed').Count
        $k = @($outcomes | Where-Object outcome -eq 'NotExecuted').Count
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped ({4} of them against the real S3 server at {5})" -f $trx.BaseName, $p, $f, $k, $s3, $env:TRACECRAFT_TEST_S3_ENDPOINT)
        $passed += $p; $failed += $f; $skipped += $k
    }
    $pester = Join-Path $results 'pester.xml'
    if (Test-Path $pester) {
        $xml = [xml](Get-Content -Raw $pester)
        $run = $xml.'test-results'
        $p = [int]$run.total - [int]$run.failures - [int]$run.errors - [int]$run.skipped - [int]$run.'not-run' - [int]$run.inconclusive
        Write-Host ("Pester (real pwsh {0}): {1} passed, {2} failed, {3} skipped" -f $PSVersionTable.PSVersion, $p, $run.failures, $run.skipped)
        $passed += $p; $failed += [int]$run.failures + [int]$run.errors; $skipped += [int]$run.skipped
    }
    Write-Host ''
    $total = "Total: $passed passed, $failed failed, $skipped skipped"
    Write-Host $total
    Set-Content -Path (Join-Path $results 'summary.txt') -Value $total
}

function New-Package([string] $moduleDir) {
    $feed = New-Item -ItemType Directory -Force (Join-Path $out 'packages')
    $name = "TraceCraftBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $feed.FullName -Trusted
    try {
        Publish-PSResource -Path $moduleDir -Repository $name -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    Get-ChildItem $feed -Filter 'TraceCraft.*.nupkg' | ForEach-Object { Write-Host ('Package: {0} ({1:N1} MiB)' -f $_.FullName, ($_.Length / 1MB)) -ForegroundColor Green }
    $runtimes = @(Get-ChildItem (Join-Path $moduleDir 'bin') -Directory -ErrorAction Ignore | ForEach-Object Name)
    if ($runtimes.Count -eq 0) { Write-Warning 'The package holds no native tracecraft (built with -NoNative): Install-TcCommand will have nothing to install.' }
    else { Write-Host "Native tracecraft in the package for: $($runtimes -join ', ') (others: publish on their OS, then -NativeFrom)" -ForegroundColor Green }
}

function Invoke-Demo([string] $moduleDir) {
    # The seed's two-agent story on the local folder store, in a scratch folder: no server at all.
    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "tracecraft-demo-$PID"
    New-Item -ItemType Directory -Force $scratch | Out-Null
    $env:TRACECRAFT_HOME = Join-Path $scratch 'home'
    Push-Location $scratch
    try {
        Import-Module (Join-Path $moduleDir 'TraceCraft.psd1') -Force
        $story = @(
            @('designer', 'init --project myproject --agent designer --backend folder --path ./bucket'),
            @('designer', 'claim design'),
            @('designer', 'memory set design.status complete'),
            @('designer', 'send developer "Design is ready"'),
            @('developer', 'inbox'),
            @('developer', 'memory get design.status'),
            @('developer', 'claim implementation'),
            @('designer', 'complete design --note "done, see mockup.html" --to developer'),
            @('developer', 'wait-for design --timeout 10'),
            @('developer', 'step-status design'))
        foreach ($line in $story) {
            $env:TRACECRAFT_AGENT = $line[0]
            Write-Host "[$($line[0])] `$ tracecraft $($line[1])" -ForegroundColor Cyan
            Invoke-Expression "tracecraft $($line[1])"
            if ($LASTEXITCODE -ne 0) { throw "tracecraft $($line[1]) failed with exit code $LASTEXITCODE" }
        }
        Write-Host "`nThe same project through cmdlets:" -ForegroundColor Cyan
        $env:TRACECRAFT_AGENT = 'developer'
        Get-TcStep | Format-Table | Out-Host
        Get-TcAgent | Format-Table | Out-Host
        Write-Host 'The board of the project (tracecraft watch --once; without --once it stays live):' -ForegroundColor Cyan
        tracecraft watch --once
        $psd1 = [System.IO.Path]::GetRelativePath($root, (Join-Path $moduleDir 'TraceCraft.psd1'))
        Write-Host "`nNext: try it in your own folder, then watch it live:" -ForegroundColor Green
        Write-Host "  dotnet pwsh -NoExit -Command `"Import-Module ./$psd1; Initialize-TcProject -Project myproject -Agent me -Backend folder; New-TcStep -Id first; Watch-TcProject`"" -ForegroundColor Green
    }
    finally {
        Pop-Location
        Remove-Item env:TRACECRAFT_AGENT, env:TRACECRAFT_HOME -ErrorAction Ignore
        Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
    }
}

if ($Clean -and (Test-Path $out)) { Remove-Item -Recurse -Force $out }
$moduleDir = Build-Module
if ($Test) { Invoke-Tests $moduleDir }
if ($Package) { New-Package $moduleDir }
if ($Demo) { Invoke-Demo $moduleDir }
if ($InstallNative) {
    $arguments = @{ Configuration = $Configuration; Install = $true }
    if ($BinDirectory) { $arguments.BinDirectory = $BinDirectory }
    & (Join-Path $root 'tools/Build-Native.ps1') @arguments | Out-Null
}
