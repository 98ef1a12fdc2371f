@echo off
rem The keytray command inside an installed KeyTray: the app's own executable runs its CLI as Node.
rem Layout: <install dir>\resources\bin -> ..\..\KeyTray.exe
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\KeyTray.exe" "%~dp0..\app.asar\bin\keytray.cjs" %*
