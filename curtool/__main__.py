from curtool.cli import main

main()
