from carthandout.cli import main

main()
