"""WeChat official account (公众号) channel on wechatpy, served by the gateway at ``/wechat``."""
