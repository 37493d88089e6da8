"""The points pages: 我的积分 (`mine`), the community points desk (`desk`), the figures."""
