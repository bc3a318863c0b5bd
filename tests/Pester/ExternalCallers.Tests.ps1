# Agents that are not PowerShell call the module through a child pwsh: from PowerShell itself, bash, Python and
# Node. What they see is stdout, stderr and the exit code (0 success, 1 failure), exactly as with the original CLI.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Agents calling the module from outside, on the <Backend> store' -Tag 'External', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent designer, developer -Prefix ext
            $designer = $tc.Folders.designer
            $developer = $tc.Folders.developer
            $import = Get-TcImportCommand
            $claimDesign = "$import; tracecraft claim design"
            $claimedError = 'Error: Step design already claimed by designer'
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        Context 'pwsh -Command from PowerShell' {
            It 'the first claim prints the claim on stdout, nothing on stderr, and exits 0' {
                Set-Location $designer
                $errFile = Join-Path $tc.Root 'pwsh-claim.err'
                $out = & $env:TRACECRAFT_PWSH -NoProfile -Command $claimDesign 2> $errFile
                $LASTEXITCODE | Should -Be 0
                $out | Should -BeExactly @('Claimed step design as designer')
                Get-Content -Raw $errFile | Should -BeNullOrEmpty
            }

            It 'the second agent''s claim prints the original error on stderr, nothing on stdout, and exits 1' {
                Set-Location $developer
                $errFile = Join-Path $tc.Root 'pwsh-claim2.err'
                $out = & $env:TRACECRAFT_PWSH -NoProfile -Command $claimDesign 2> $errFile
                $LASTEXITCODE | Should -Be 1
                $out | Should -BeNullOrEmpty
                Get-Content $errFile | Should -BeExactly @($claimedError)
            }

            It 'a cmdlet error (Request-TcStep) goes to stderr with its message and exits 1' {
                $r = Invoke-TcPwsh -WorkingDirectory $developer -Command 'Request-TcStep -Id design | Out-Null'
                $r.ExitCode | Should -Be 1
                $r.StdOut | Should -BeNullOrEmpty
                $r.StdErr | Should -Match 'Step design already claimed by designer'
            }
        }

        Context 'bash -c' {
            It 'bash sees stdout, stderr and the exit code of a success and of a failure' {
                $script = @'
"$TC_PWSH" -NoProfile -Command "$TC_IMPORT; tracecraft memory set ext.from bash"
echo "first=$?"
"$TC_PWSH" -NoProfile -Command "$TC_IMPORT; tracecraft claim design" 2>"$TC_ERR" || echo "claim failed with $?"
echo "stderr=$(cat "$TC_ERR")"
'@
                $errFile = Join-Path $tc.Root 'bash.err'
                $r = Invoke-TcChild -FilePath bash -ArgumentList '-c', $script -WorkingDirectory $developer `
                    -Environment @{ TC_PWSH = $env:TRACECRAFT_PWSH; TC_IMPORT = $import; TC_ERR = $errFile }
                $r.ExitCode | Should -Be 0
                $r.OutLines | Should -BeExactly @('Set ext.from = bash', 'first=0', 'claim failed with 1', "stderr=$claimedError")
                $r.StdErr | Should -BeNullOrEmpty
            }
        }

        Context 'python3 subprocess.run' {
            It 'Python gets returncode, stdout and stderr of a success and of a failure' {
                $python = @'
import json, os, subprocess
def run(command):
    p = subprocess.run([os.environ["TC_PWSH"], "-NoProfile", "-Command", os.environ["TC_IMPORT"] + "; " + command],
                       capture_output=True, text=True)
    return {"code": p.returncode, "out": p.stdout, "err": p.stderr}
print(json.dumps([run("tracecraft step-status design"), run("tracecraft claim design")]))
'@
                $r = Invoke-TcChild -FilePath python3 -ArgumentList '-c', $python -WorkingDirectory $developer `
                    -Environment @{ TC_PWSH = $env:TRACECRAFT_PWSH; TC_IMPORT = $import }
                $r.ExitCode | Should -Be 0 -Because $r.StdErr
                $ok, $failed = $r.StdOut | ConvertFrom-Json
                $ok.code | Should -Be 0
                (ConvertTo-TcLine $ok.out) | Should -BeExactly @('design: in_progress (agent: designer)')
                $ok.err | Should -BeNullOrEmpty
                $failed.code | Should -Be 1
                $failed.out | Should -BeNullOrEmpty
                (ConvertTo-TcLine $failed.err) | Should -BeExactly @($claimedError)
            }
        }

        Context 'node child_process.spawnSync' {
            It 'Node gets status, stdout and stderr of a success and of a failure' {
                $node = @'
const { spawnSync } = require("child_process");
const run = (command) => {
  const p = spawnSync(process.env.TC_PWSH, ["-NoProfile", "-Command", process.env.TC_IMPORT + "; " + command], { encoding: "utf8" });
  return { code: p.status, out: p.stdout, err: p.stderr };
};
console.log(JSON.stringify([run("tracecraft send designer 'hello from node'"), run("tracecraft claim design")]));
'@
                $r = Invoke-TcChild -FilePath node -ArgumentList '-e', $node -WorkingDirectory $developer `
                    -Environment @{ TC_PWSH = $env:TRACECRAFT_PWSH; TC_IMPORT = $import }
                $r.ExitCode | Should -Be 0 -Because $r.StdErr
                $ok, $failed = $r.StdOut | ConvertFrom-Json
                $ok.code | Should -Be 0
                (ConvertTo-TcLine $ok.out) | Should -BeExactly @('Sent to designer: hello from node')
                $ok.err | Should -BeNullOrEmpty
                $failed.code | Should -Be 1
                $failed.out | Should -BeNullOrEmpty
                (ConvertTo-TcLine $failed.err) | Should -BeExactly @($claimedError)
            }

            It 'what the outside agents did is there for the PowerShell agent' {
                Set-Location $designer
                (Get-TcMemory -Key ext.from).Value | Should -BeExactly 'bash'
                $m = Get-TcInbox | Where-Object Text -eq 'hello from node'
                $m.From | Should -BeExactly 'developer'
            }
        }
    }
}

Describe 'A usage error from outside' -Tag 'External' {
    BeforeAll {
        $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $tc = New-TcTestProject -Backend folder -Agent lead -Prefix usage
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
        Remove-TcTestProject $tc
    }

    It 'keeps exit code 2 when the caller passes $LASTEXITCODE on, with usage help on stderr' {
        $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.lead -Command 'tracecraft claim; exit $LASTEXITCODE'
        $r.ExitCode | Should -Be 2
        $r.StdOut | Should -BeNullOrEmpty
        $r.ErrLines[0] | Should -BeLikeExactly 'Error: *step_id*'
        $r.ErrLines[-1] | Should -BeLikeExactly "Run 'tracecraft --help' for usage."
    }
}
