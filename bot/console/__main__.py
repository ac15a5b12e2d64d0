"""Console accounts from the command line.

    python -m bot.console adduser wangli --name 王丽 --role agent     # asks for the password
    python -m bot.console adduser eco1 --name 李明 --role unit --unit 市生态环境局
    echo "$PASSWORD" | python -m bot.console adduser zhang --role supervisor --password-stdin
    python -m bot.console passwd wangli
    python -m bot.console disable wangli | enable wangli
    python -m bot.console list
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.console import accounts


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输一次：") != first:
        raise accounts.AccountError("两次输入的密码不一致")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console", description="Console accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("adduser", help="create an agent, supervisor or handling-unit account")
    add.add_argument("username")
    add.add_argument("--name", default="", help="the name shown to colleagues (default: the username)")
    add.add_argument("--role", choices=accounts.ROLES, default="agent")
    add.add_argument("--unit", default="", help="the handling unit of a --role unit account (as in the dispatch catalogue)")
    add.add_argument("--password-stdin", action="store_true")
    pw = sub.add_parser("passwd", help="set a new password (ends the user's sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    for name in ("disable", "enable"):
        sub.add_parser(name).add_argument("username")
    sub.add_parser("list")
    args = parser.parse_args(argv)
    try:
        if args.command == "adduser":
            who = accounts.create_agent(args.username, args.name, args.role, _password(args), args.unit)
            print(f"已创建：{who.username}（{who.display_name}，{who.role}{'，' + who.unit if who.unit else ''}）")
        elif args.command == "passwd":
            accounts.set_password(args.username, _password(args))
            print(f"已更新 {args.username} 的密码")
        elif args.command in ("disable", "enable"):
            accounts.set_disabled(args.username, args.command == "disable")
            print(f"已{'停用' if args.command == 'disable' else '启用'} {args.username}")
        else:
            for who, disabled in accounts.list_agents():
                print("\t".join([who.username, who.display_name, who.role, who.unit or ""]
                                + (["(停用)"] if disabled else [])))
    except accounts.AccountError as exc:
        print(f"失败：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
