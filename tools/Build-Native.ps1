#Requires -Version 7.2
<#
.SYNOPSIS
Publishes the native (Native AOT) `tracecraft` executable, and optionally installs it into a bin folder.

.DESCRIPTION
Run it with the pinned PowerShell: `dotnet pwsh tools/Build-Native.ps1 [-Install [-BinDirectory DIR]]`.
Publishes src/TraceCraft.Cli for this machine's runtime (or -Runtime) into out/native/<rid>/tracecraft
(tracecraft.exe on Windows). Native AOT does not cross-compile between operating systems: publish each
runtime on its own OS. Any trimming or AOT warning fails the publish (see TraceCraft.Cli.csproj).

With -Install the executable is copied into -BinDirectory (default ~/.local/bin, created if missing), and
the script says whether that folder is on PATH. Writes the path of the published executable to the pipeline.

.EXAMPLE
dotnet pwsh tools/Build-Native.ps1 -Install
#>
[CmdletBinding()]
param(
    # linux-x64, win-x64, osx-arm64 ...; default: the runtime this PowerShell runs on.
    [string] $Runtime = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier,
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Copy the executable into -BinDirectory.
    [switch] $Install,
    # Where -Install puts it; default ~/.local/bin.
    [string] $BinDirectory = (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.local/bin')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = Split-Path -Parent $PSScriptRoot
$project = Join-Path $root 'src/TraceCraft.Cli/TraceCraft.Cli.csproj'
$outDir = Join-Path $root "out/native/$Runtime"
$exeName = $Runtime.StartsWith('win-') ? 'tracecraft.exe' : 'tracecraft'
$exe = Join-Path $outDir $exeName

$arguments = @('publish', $project, '-r', $Runtime, '-c', $Configuration, '-o', $outDir, '--nologo')
Write-Host "> dotnet $($arguments -join ' ')" -ForegroundColor DarkGray
$watch = [System.Diagnostics.Stopwatch]::StartNew()
& dotnet @arguments | Out-Host
if ($LASTEXITCODE -ne 0) { throw "dotnet publish of the native tracecraft ($Runtime) exited with code $LASTEXITCODE" }
if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { throw "dotnet publish succeeded but $exe is missing." }
$size = (Get-Item -LiteralPath $exe).Length
Write-Host ('Native tracecraft: {0} ({1:N1} MiB, published in {2:N0} s)' -f $exe, ($size / 1MB), $watch.Elapsed.TotalSeconds) -ForegroundColor Green

if ($Install) {
    $bin = New-Item -ItemType Directory -Force -Path $BinDirectory
    $target = Join-Path $bin.FullName $exeName
    # Copy beside the target, then rename over it: a running tracecraft (or a half-written copy) never breaks the installed one.
    $temp = "$target.$PID.tmp"
    Copy-Item -LiteralPath $exe -Destination $temp -Force
    if (-not $IsWindows) { & chmod 755 $temp; if ($LASTEXITCODE -ne 0) { throw "chmod 755 $temp failed." } }
    Move-Item -LiteralPath $temp -Destination $target -Force
    Write-Host "Installed $target" -ForegroundColor Green
    # SQLite's native library (session mirroring of Hermes) is loaded from beside the executable.
    foreach ($library in Get-ChildItem -LiteralPath $outDir -File | Where-Object Name -match '^(lib)?e_sqlite3\.(so|dylib|dll)$') {
        Copy-Item -LiteralPath $library.FullName -Destination (Join-Path $bin.FullName $library.Name) -Force
        Write-Host "Installed $(Join-Path $bin.FullName $library.Name)" -ForegroundColor Green
    }
    $separator = [System.IO.Path]::PathSeparator
    $comparison = $IsWindows ? [StringComparison]::OrdinalIgnoreCase : [StringComparison]::Ordinal
    $onPath = @(($env:PATH ?? '') -split $separator | Where-Object { $_ } |
        Where-Object { [string]::Equals([System.IO.Path]::TrimEndingDirectorySeparator($_), [System.IO.Path]::TrimEndingDirectorySeparator($bin.FullName), $comparison) }).Count -gt 0
    if ($onPath) {
        Write-Host "$($bin.FullName) is on PATH: run 'tracecraft --help'." -ForegroundColor Green
    }
    else {
        Write-Warning "$($bin.FullName) is not on PATH. Add it, e.g. in ~/.bashrc or ~/.profile: export PATH=`"$($bin.FullName):`$PATH`""
    }
}

$exe
